"""Processes the bench starts: pinned servers with a readiness check, a sampler of their memory and CPU, and what
one measured run cost them per request (CPU time, and for JVMs the heap allocated)."""
import http.client
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pinned(cpus, command):
    """The command, run through taskset on the given cores ("0", "0-1"); unpinned when cpus is empty."""
    return (["taskset", "-c", cpus] if cpus else []) + list(command)


class Server:
    """One server process: started pinned, ready when GET / answers 200, stopped with SIGTERM then SIGKILL.

    A JVM server writes its GC log to `gc_log` (None for the others): -Xlog:gc, one line per collection, never
    rotated. It is the only option the bench adds to a JVM, and it costs a line per collection."""

    def __init__(self, spec, port, cpus, log_path, extra_props=(), gc_log=None, extra_args=()):
        self.spec = spec
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.gc_log = gc_log if spec.jvm else None
        jvm_options = [f'-Xlog:gc:file="{self.gc_log}"::filecount=0'] if self.gc_log else []
        command = spec.command(port, list(extra_props), jvm_options, extra_args)
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(pinned(cpus, command), cwd=spec.cwd, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid
        self._wait_ready(timeout=60)

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.spec.name} exited with code {self.process.returncode} before it was "
                                   f"ready; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1) as response:
                    if response.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                # not listening yet; or, with a port in the ephemeral range, the probe's own socket connected to
                # itself and read back its request (then the server can not bind, exits, and _start moves on)
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.spec.name} did not answer GET / within {timeout} s; see {self.log.name}")

    def alive(self):
        return self.process.poll() is None

    def await_quiet(self, timeout=10.0):
        """Waits until no connection on the server's port is in CLOSE-WAIT: every client that went away (a wrk run
        that ended) has had its last request answered and its connection closed. Without it, a run that follows
        a saturating one starts while the server still serves the earlier run's requests: at 10,000 connections
        that is 20,000 requests at once, which loom-service's limiter partly refuses with 503 (as configured) and
        every server pays for. Open connections (a fan-out's pooled ones) do not count. Returns the seconds waited;
        at `timeout` it gives up."""
        return await_quiet([self], timeout)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def await_quiet(servers, timeout=10.0):
    """Server.await_quiet for several servers at once: until none has a connection in CLOSE-WAIT, at most
    `timeout` s; returns the seconds waited."""
    start, ports = time.monotonic(), {server.port for server in servers}
    while ports and closing_connections(ports) and time.monotonic() - start < timeout:
        time.sleep(0.05)
    return time.monotonic() - start


def closing_connections(ports):
    """How many TCP sockets with a local port in `ports` are in CLOSE-WAIT: the peer has closed, this side not
    yet (/proc/net/tcp and tcp6; state 08)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split(None, 4)
                    if fields[3] == "08" and int(fields[1].rsplit(":", 1)[1], 16) in ports:
                        n += 1
        except FileNotFoundError:
            pass
    return n


def rss_kb(pid, field="VmRSS"):
    """Resident set size of pid in KiB (VmRSS; VmHWM is its peak so far), or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_kb(process, period=0.02):
    """Waits for a child process to end and returns its peak RSS in KiB, read from its VmHWM while it runs.

    Not wait4's ru_maxrss: Linux carries the parent's RSS over into it when the child was forked from a large
    process (this harness, with matplotlib loaded), which would hide a child smaller than that."""
    peak = 0
    while process.poll() is None:
        peak = max(peak, rss_kb(process.pid, "VmHWM") or 0)
        time.sleep(period)
    return peak


def stat_cpu(path):
    """(name, user + system CPU seconds) from a /proc stat file (a process's, or one thread's under task/), or None
    when it is gone."""
    try:
        with open(path) as f:
            name, rest = f.read().split(" (", 1)[1].rsplit(")", 1)
        fields = rest.split()
        return name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def cpu_seconds(pid):
    """User + system CPU time of pid (all its threads), in seconds, or None when the process is gone."""
    stat = stat_cpu(f"/proc/{pid}/stat")
    return stat[1] if stat else None


# HotSpot's JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThread1", ...) as /proc cuts their names.
COMPILER_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def jit_cpu_seconds(pid):
    """User + system CPU time of a HotSpot JVM's JIT compiler threads alive now, in seconds; None for a process
    without them (not a JVM, or gone). HotSpot starts and stops compiler threads as the compile queue grows and
    shrinks, and a stopped thread's time leaves the sum: compare two readings with max(0, later - earlier)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    compilers = []
    for tid in tasks:
        stat = stat_cpu(f"/proc/{pid}/task/{tid}/stat")  # None: the thread ended meanwhile
        if stat and stat[0].startswith(COMPILER_THREADS):
            compilers.append(stat[1])
    return sum(compilers) if compilers else None


class Sampler:
    """Samples a process's RSS every `period` seconds on a thread, between start() and stop().

    stop() returns peak and final RSS in MiB and the CPU the process used meanwhile, in cores (1.0 = one core
    busy the whole time)."""

    def __init__(self, pid, period=0.2):
        self.pid = pid
        self.period = period
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.cpu0 = cpu_seconds(self.pid) or 0.0
        self.t0 = time.monotonic()
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid) or 0)
            self._stop.wait(self.period)

    def stop(self):
        self._stop.set()
        self._thread.join()
        final_kb = rss_kb(self.pid) or 0
        self.peak_kb = max(self.peak_kb, final_kb)
        wall = time.monotonic() - self.t0
        cpu = (cpu_seconds(self.pid) or self.cpu0) - self.cpu0
        return {"peak_rss_mb": self.peak_kb / 1024, "rss_mb": final_kb / 1024, "cpu_cores": cpu / wall if wall else 0}


# A collection pause in a -Xlog:gc line, e.g. "GC(7) Pause Young (Allocation Failure) 70M->4M(247M) 2.1ms": heap
# in use before and after it, in MiB, and its length. Serial, Parallel and G1 log every change of heap use at a
# pause.
GC_PAUSE = re.compile(r"Pause .* (\d+)M->(\d+)M\(\d+M\) ([\d.]+)ms")


def gc_pauses(path):
    """(MiB in use before, MiB in use after, milliseconds) of every pause in a GC log so far, oldest first."""
    try:
        with open(path) as f:
            return [(int(m[1]), int(m[2]), float(m[3])) for m in map(GC_PAUSE.search, f) if m]
    except OSError:
        return []


class RunCost:
    """What one measured run cost a server: CPU time and, for a JVM, heap allocated, each per request served.

    Create it right before the load generator starts and call per_request() right after it ends, so that neither
    the warm-up nor the load generator (a process of its own) is counted. CPU time is the server process's utime +
    stime from /proc (all its threads; children excluded), in clock ticks of 10 ms: runs of a few seconds at
    thousands of requests/s make that error small.

    Allocation comes from the GC log, as bench/ab computes it: each collection during the run found in use
    (before it) what the previous collection left (after it) plus what was allocated since. The first
    collection's "previous" is the last one before the run (or the JVM's start, with an empty heap), so the sum
    covers as many intervals between collections as the run saw, and the partial intervals at its two ends
    cancel on average; the error is at most about one young generation per run. Without a collection during the
    run there is no number (never a 0); each collection is logged in whole MiB."""

    def __init__(self, server, neighbours=()):
        self.server = server
        self.neighbours = [(s.pid, cpu_seconds(s.pid)) for s in neighbours]
        self.cpu0 = cpu_seconds(server.pid)
        self.t0 = time.monotonic()
        self.pauses0 = len(gc_pauses(server.gc_log)) if server.gc_log else 0
        self.jit0 = jit_cpu_seconds(server.pid)

    def per_request(self, requests):
        """cpu_us_per_req, for a JVM jit_share, and, when the GC log allows, alloc_kb_per_req (KB = 1,024 bytes);
        {} without requests."""
        cpu1 = cpu_seconds(self.server.pid)
        if not requests or self.cpu0 is None or cpu1 is None:
            return {}
        out = {"cpu_us_per_req": (cpu1 - self.cpu0) * 1e6 / requests}
        jit1 = jit_cpu_seconds(self.server.pid)
        if self.jit0 is not None and jit1 is not None and cpu1 > self.cpu0:
            # the share of that CPU time the JIT compiler took: what the warm-up (Context.warm) left to compile
            out["jit_share"] = max(0.0, jit1 - self.jit0) / (cpu1 - self.cpu0)
        if self.neighbours:
            # the other servers on the server cores, idle meanwhile: the share of one core they took from this run
            now = [(cpu_seconds(pid), cpu) for pid, cpu in self.neighbours]
            spent = sum(t1 - t0 for t1, t0 in now if t1 is not None and t0 is not None)
            out["neighbours_cpu_share"] = spent / (time.monotonic() - self.t0)
        if self.server.gc_log:
            pauses = [(0, 0, 0.0)] + gc_pauses(self.server.gc_log)  # the JVM's start: nothing in use yet
            run = pauses[self.pauses0:]  # from the last pause before the run on
            if len(run) > 1:
                mib = sum(before - previous[1] for previous, (before, _, _) in zip(run, run[1:]))
                out["alloc_kb_per_req"] = mib * 1024 / requests
            # the share of the run's wall time the JVM stood still for its collector (pauses logged during it)
            out["gc_pause_share"] = sum(ms for _, _, ms in run[1:]) / 1000 / (time.monotonic() - self.t0)
        return out
