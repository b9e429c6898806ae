"""What each of loom-service's features costs per request, from a JFR recording with CPU-time samples
(jdk.CPUTimeSample, JDK 25) and allocation samples (jdk.ObjectAllocationSample). bench/features makes the
recording and calls report(); for a recording kept from before (the JDK's bin/ on PATH):

    python3 bench/lib/features.py REC.jfr REQUESTS JAVA_CPU_US_PER_REQUEST

A sample belongs to the feature whose class is its innermost loom-service frame (the feature called Helidon, or
the JDK, for it); a sample whose innermost loom-service frame is a route, or that has none, is the rest (Helidon's
server, the route, the system calls). The sampler sees Java threads only, not the collector or the JIT, so the µs
are the share of the samples times the CPU per request of the Java threads (java_cpu_seconds).
"""
import json
import os
import subprocess
import sys
from collections import Counter

from procs import COMPILER_THREADS, stat_cpu

# The innermost loom-service frame's class, after "dev.loomservice.", by prefix -> the feature it belongs to.
FEATURES = [
    ("guard.ConcurrencyLimiter", "limiter"),
    ("guard.ReadDeadline", "read deadlines (listener clocks and watchdog)"),
    ("guard.FramingGuard", "framing guard (origin-form stage and listener)"),
    ("observe.RequestId", "request id"),
    ("observe.AccessLog", "access log (the line, and its writer thread)"),
    ("observe.HttpMetrics", "metrics (request histogram)"),
    ("observe.Histogram", "metrics (request histogram)"),
    ("observe.ServerTiming", "Server-Timing"),
    ("observe.SlowRequests", "slow-request detector (its check and watchdog)"),
    ("observe.PinningDetector", "pinning detector (its own code)"),
    ("observe.InFlight", "in-flight registry"),
    ("guard.ResponseHeaderGuard", "response-header guard"),
    ("guard.ConnectionPolicy", "connection policy"),
    ("guard.Drain", "drain"),
    ("guard.HeadRequests", "HEAD handling (two stages, one listener)"),
    ("ws.UpgradeGate", "WebSocket upgrade gate"),
    ("observe.RequestObserver", "the observer stage's own code"),
    ("stage.Stages", "Stages, the one filter (its loop, Helidon's filter chain)"),
    ("Http1Listeners", "Http1Listeners (the one listener each way)"),
]
SHARED = "dev.loomservice.observe.PerThread"  # used by the registry and the deadlines: its caller decides
ROUTING = "Helidon's routing, after the stages"
JFR = "JFR threads (the pinning detector's stream, and this recording)"
REST = "the rest: Helidon's server, the route, the system calls"


# The JVM's own threads, as /proc cuts their names: the sampler does not see them.
VM_THREADS = COMPILER_THREADS + ("VM Thread", "GC ", "G1 ", "VM Periodic", "Service Thread", "Monitor Defl")


def java_cpu_seconds(pid):
    """User + system CPU seconds of pid's threads that the CPU-time sampler sees: all but the JVM's own."""
    total = 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        stat = stat_cpu(f"/proc/{pid}/task/{tid}/stat")  # None: the thread ended meanwhile
        if stat and not stat[0].startswith(VM_THREADS):
            total += stat[1]
    return total


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    return [f["method"]["type"]["name"].replace("/", ".") for f in trace.get("frames", [])]


def feature(classes):
    """The feature a stack belongs to (its frames' class names, innermost first)."""
    for i, name in enumerate(classes):
        if name.startswith("jdk.jfr."):
            return JFR
        if not name.startswith("dev.loomservice.") or name == SHARED:
            continue
        short = name[len("dev.loomservice."):]
        for prefix, feat in FEATURES:
            if short.startswith(prefix):
                # the one filter runs the routing too: what Helidon does there is not a stage's cost
                if prefix == "stage.Stages" and any("HttpRoutingImpl$RoutingExecutor" in c for c in classes[:i]):
                    return ROUTING
                return feat
        return REST
    return REST


def events(jfr, recording):
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "128", "--events",
                          "jdk.CPUTimeSample,jdk.ObjectAllocationSample", recording],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def report(jfr, recording, requests, java_us):
    """Prints the table; `jfr` is the JDK's jfr tool."""
    cpu, alloc = Counter(), Counter()
    for e in events(jfr, recording):
        if e["type"] == "jdk.CPUTimeSample":
            cpu[feature(frames(e))] += 1
        elif e["values"]["weight"] < 50 << 20:  # a first sample carries its thread's whole history: dropped
            alloc[feature(frames(e))] += e["values"]["weight"]
    samples = sum(cpu.values()) or 1
    names = [f for _, f in FEATURES]
    order = list(dict.fromkeys(names)) + [ROUTING, JFR, REST]
    print(f"{samples} CPU-time samples; {requests} requests; Java threads {java_us:.1f} µs a request")
    print(f"| feature | share of the samples | µs per request | B allocated per request |")
    print("|---|---:|---:|---:|")
    for f in order:
        share = cpu[f] / samples
        print(f"| {f} | {100 * share:.1f}% | {share * java_us:.2f} | {alloc[f] / requests:,.0f} |")
    ours = sum(cpu[f] for f in names) / samples
    if not ours:
        sys.exit("no sample fell to a feature: have the classes moved? (FEATURES in bench/lib/features.py)")
    print(f"\nthe features together: {100 * ours:.1f}% of the samples, "
          f"{sum(alloc[f] for f in names) / requests:,.0f} B of {sum(alloc.values()) / requests:,.0f} a request")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    report("jfr", sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
