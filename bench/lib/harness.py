"""bench/run's engine: runs the scenarios against every server and writes results.json, CSVs, results.md, charts.

Run it through bench/run, which builds what is needed and picks Debian's python3. See bench/README.md.
"""
import argparse
import datetime
import json
import os
import resource
import socket
import statistics
import sys
import time
import traceback

import envinfo
import report
import scenarios
from servers import ROOT, specs

# Full mode: the numbers for bench/README.md. Quick mode: every scenario and server at a tiny scale, to show the
# harness works (CI smoke); its numbers are noise and are never published.
# Full mode is sized to finish within 90 minutes with every default server (see bench/README.md, "Run it"): short
# points, since this VM drifts over minutes, not seconds, and rounds share the drift out; 3 repeats in rounds.
FULL = {
    "warmup": 5, "settle": 2, "duration": 6, "repeats": 3, "wrk_threads": 1,
    # a JVM's warm-up goes on in slices of `settle` s while its JIT took > jit_quiet of its CPU (Context.warm)
    "warmup_max": 40, "jit_quiet": 0.03,
    "hello_c": [50, 256], "post_c": [50],
    "io_ms": 100, "io_c": [1000, 10000],
    "fanout_n": 10, "fanout_ms": 50, "fanout_c": 100,
    "cpu_work": 100_000, "cpu_c": 8, "probe_c": 10, "probe_pause_ms": 10,
    "overload_permits": 500, "overload_queue": 100, "overload_factor": 10,
    "pool_threads": 200, "pool_c": 2000,  # Jetty's default pool, 10x past it
    "million_requests": 1_000_000, "million_c": 1000, "million_ms": 10,
    "idle_conns": 18_000, "idle_clients": 4,
    "tasks": 1_000_000, "tasks_warmup": 20_000,  # the warm-up: 10 ms tasks, before the timed ones
    # db and scaleout: one PostgreSQL; pool = loom-service's default app.db.pool-size, given to every server
    "db_c": [256], "db_rows": 10_000, "db_pool": 10,
    "scaleout_c": 256,
}
QUICK = {
    **FULL,
    "warmup": 1, "settle": 1, "duration": 1, "repeats": 1, "warmup_max": 1,
    "io_c": [1000],
    "fanout_c": 50,
    "overload_permits": 50, "overload_queue": 10,
    "pool_c": 400,
    "million_requests": 20_000, "million_c": 200,
    "idle_conns": 1000, "idle_clients": 2,
    "tasks": 10_000, "tasks_warmup": 1_000,
    "db_c": [50], "db_rows": 1_000,
}


def main():
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny scale, one run each: checks the harness (minutes)")
    parser.add_argument("--out", help="results directory (default: bench/results/DATE-HOST, or "
                                      "target/bench/DATE-HOST-quick with --quick)")
    parser.add_argument("--only", help="comma-separated scenarios: " + ",".join(scenarios.SCENARIOS)
                                       + f" (default: all; in full mode all but {','.join(sorted(scenarios.NAMED_ONLY))})")
    runtimes = list(scenarios.TASK_RUNTIMES)
    every = specs("java")
    servers = [s.name for s in every]
    named_only = [s.name for s in every if not s.default]  # run only when --servers names them
    parser.add_argument("--servers", help=f"comma-separated servers: {','.join(servers)} (default: all but "
                                          f"{','.join(named_only)}); tasks: "
                                          f"{','.join(runtimes)}. bench/run builds only the jars these need")
    # Below Linux's ephemeral range (32768-60999 by default), where no client socket can hold a server's port and
    # a readiness probe can not connect to itself (a TCP self-connect: it happened in a full run on 2026-12-04).
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("BENCH_PORT_BASE", 30000)),
                        help="servers listen on ports from here up (default 30000, or $BENCH_PORT_BASE)")
    parser.add_argument("--server-cpus", default=os.environ.get("BENCH_SERVER_CPUS", "0"),
                        help="cores the servers are pinned to (taskset -c; default 0; '' = unpinned)")
    parser.add_argument("--client-cpus", default=os.environ.get("BENCH_CLIENT_CPUS", "1"),
                        help="cores the load generators are pinned to (default 1)")
    parser.add_argument("--repeats", type=int, help="override the measured runs per point")
    parser.add_argument("--duration", type=int, help="override seconds per measured run")
    parser.add_argument("--warmup", type=int, help="override seconds of warm-up after a server starts")
    parser.add_argument("--settle", type=int, help="override seconds of load before each later point of a start")
    parser.add_argument("--report", metavar="DIR", help="only re-render DIR's results.md and charts from its "
                                                        "results.json, and check that they parse")
    parser.add_argument("--java", default=os.environ.get("BENCH_JAVA", "java"), help="java of a JDK >= 21")
    args = parser.parse_args()

    if args.report:
        report.render(args.report)
        print(f"bench: {args.report}/results.md")
        return 0

    params = dict(QUICK if args.quick else FULL)
    for key in ("repeats", "duration", "warmup", "settle"):
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    mode = "quick" if args.quick else "full"
    stamp = datetime.date.today().isoformat() + "-" + socket.gethostname()
    out = os.path.abspath(args.out or (os.path.join(ROOT, "target", "bench", stamp + "-quick") if args.quick
                                       else os.path.join(ROOT, "bench", "results", stamp)))
    raw = os.path.join(out, "raw")
    os.makedirs(raw, exist_ok=True)

    available = os.sched_getaffinity(0)
    wanted_cores = [cpu_set(c) for c in (args.server_cpus, args.client_cpus) if c]
    if any(not cores <= available for cores in wanted_cores):
        if len(available) >= 2:
            parser.error(f"--server-cpus/--client-cpus must name cores of {sorted(available)}")
        print("bench: fewer than 2 cores: servers and load generators run unpinned, on the same core; the numbers "
              "mean little", file=sys.stderr)
        args.server_cpus = args.client_cpus = ""

    # Idle-connection and 10k-connection runs need every descriptor the hard limit allows, in us and our children.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.client_cpus:
        os.sched_setaffinity(0, cpu_set(args.client_cpus))  # the harness's own threads (probe) stay off the server

    log_file = open(os.path.join(out, "bench.log"), "a")

    def log(line):
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    all_servers = specs(args.java)
    wanted_servers = set(args.servers.split(",")) if args.servers else None
    wanted = (args.only.split(",") if args.only else
              [s for s in scenarios.SCENARIOS if args.quick or s not in scenarios.NAMED_ONLY])
    unknown = [s for s in wanted if s not in scenarios.SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    unknown = sorted((wanted_servers or set()) - {*servers, *runtimes})
    if unknown:
        parser.error(f"unknown server(s): {', '.join(unknown)}")

    env = envinfo.collect(args.java, args.server_cpus, args.client_cpus)
    log(f"bench: {mode} mode -> {out}")
    log(f"bench: {env['cpu']}, {env['cores']} cores, load {env['loadavg_start']}, commit {env['commit']}")
    ctx = scenarios.Context(params, args.java, args.port_base, args.server_cpus, args.client_cpus, raw, log)
    failures, timings = [], {}
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        trimmed = not args.quick and not wanted_servers  # see scenarios.SKIPPED_BY_DEFAULT
        run_scenarios(ctx, wanted, wanted_servers, all_servers, params, log, log_file, failures, timings, trimmed)
    finally:
        ctx.close()  # the run's PostgreSQL, if a scenario started it

    env["loadavg_end"] = envinfo.loadavg()
    scaleout = {name: scenarios.MODELS[0] for name in scenarios.SCALEOUT_LABELS}
    results = {
        "schema": 1,
        "mode": mode,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["bench/run", *sys.argv[1:]]),
        "environment": env,
        "parameters": params,
        "servers": {s.name: s.label for s in all_servers}
                   | {name: label for name, (label, _) in scenarios.TASK_RUNTIMES.items()}
                   | scenarios.SCALEOUT_LABELS,
        "models": {s.name: s.model for s in all_servers}  # what tables and charts group by
                  | {name: model for name, (_, model) in scenarios.TASK_RUNTIMES.items()} | scaleout,
        "jvm_servers": [s.name for s in all_servers if s.jvm] + list(scaleout),  # the ones with alloc_kb_per_req
        "scenario_seconds": timings,
        "runs": ctx.runs,
        "summary": summarize(ctx.runs),
        "failures": failures,
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    write_csvs(out, results)
    report.render(out)
    log(f"bench: wrote {out}/results.md ({sum(timings.values()):.0f} s)")
    if failures:
        log(f"bench: {len(failures)} failure(s); see {out}/bench.log")
        return 1
    return 0


def run_scenarios(ctx, wanted, wanted_servers, all_servers, params, log, log_file, failures, timings, trimmed):
    """Every wanted scenario on every server it takes; a failure is logged and recorded, and the run goes on."""
    for name in wanted:
        function, which = scenarios.SCENARIOS[name]
        if which == "tasks":
            targets = [t for t in scenarios.TASK_RUNTIMES if not wanted_servers or t in wanted_servers]
        else:
            skipped = scenarios.SKIPPED_BY_DEFAULT.get(name, set()) if trimmed else set()
            targets = [s for s in all_servers if runs_on(which, s) and s.name not in skipped
                       and (s.name in wanted_servers if wanted_servers else s.default)]
        t0 = time.monotonic()
        log(f"bench: {name}")
        # Rounds: repeat 0 of every server, then repeat 1 of every server, ... A shared machine's speed drifts
        # (here by up to 2x within minutes), and measuring one server's repeats back to back would hand the whole
        # drift to whichever server ran at a bad moment; interleaved, every server sees every moment alike. Most
        # scenarios keep each server's start across the rounds (Context.server(keep=True)): it is started and
        # warmed once, and waits idle while the others are measured.
        rounds = [None] if name == "conformance" else range(params["repeats"])
        failed = set()
        for index in rounds:
            ctx.in_round(index)
            for target in targets:
                label = target if isinstance(target, str) else target.name
                if label in failed:
                    continue
                try:
                    function(ctx, target)
                except Exception as e:  # one broken server or scenario must not lose the rest of a long run
                    log(f"bench: FAILED {name} on {label}: {e}")
                    traceback.print_exc(file=log_file)
                    failures.append({"scenario": name, "server": label, "error": str(e)})
                    failed.add(label)
                    ctx.end_scenario([label])
        ctx.in_round(None)
        for label in ctx.end_scenario():  # the starts kept across the rounds (Context.server)
            if label not in failed:
                log(f"bench: FAILED {name} on {label}: it died before the scenario's end")
                failures.append({"scenario": name, "server": label, "error": "died before the scenario's end"})
        timings[name] = round(time.monotonic() - t0, 1)


def runs_on(which, spec):
    """Whether a scenario's `which` (see scenarios.SCENARIOS) takes this server."""
    if isinstance(which, tuple):
        return spec.name in which
    if which == "db":
        return spec.db
    return which == "all" or spec.name != "loom-nooffload"


def cpu_set(text):
    cores = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        cores.update(range(int(low), int(high or low) + 1))
    return cores


def summarize(runs):
    """Median, min and max of every metric over the repeats of each (scenario, variant, server)."""
    groups = {}
    for run in runs:
        key = (run["scenario"], run["variant"], run["server"])
        for metric, value in run["metrics"].items():
            if isinstance(value, (int, float)):
                groups.setdefault(key, {}).setdefault(metric, []).append(value)
    return [{"scenario": s, "variant": v, "server": srv, "metric": m, "median": statistics.median(values),
             "min": min(values), "max": max(values), "n": len(values)}
            for (s, v, srv), metrics in groups.items() for m, values in metrics.items()]


def write_csvs(out, results):
    import csv
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "variant", "server", "repeat", "metric", "value"])
        for run in results["runs"]:
            for metric, value in run["metrics"].items():
                if isinstance(value, (int, float)):
                    w.writerow([run["scenario"], run["variant"], run["server"], run["repeat"], metric, value])
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "variant", "server", "metric", "median", "min", "max", "n"])
        for row in results["summary"]:
            w.writerow([row[k] for k in ("scenario", "variant", "server", "metric", "median", "min", "max", "n")])


if __name__ == "__main__":
    sys.exit(main())
