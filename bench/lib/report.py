"""results.json -> results.md (tables, targets, winners) and charts/*.png; checks that everything parses.

render() raises ResultsError when the results are malformed or incomplete, so `bench/run --quick` (and
`bench/run --report DIR`) exit non-zero when the harness is broken. It never judges speed.
"""
import csv
import json
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from matplotlib.patches import Patch  # noqa: E402
from scenarios import NAMED_ONLY, SCENARIOS  # noqa: E402
from servers import MODELS  # noqa: E402


class ResultsError(Exception):
    pass


# What each request cost the server, beside every throughput number: CPU time (every server) and heap allocated
# (JVMs only: from their GC logs). Measured over the measured run alone; see procs.RunCost.
COST = [("cpu_us_per_req", "CPU µs/req", "{:.1f}", "low"), ("alloc_kb_per_req", "alloc KB/req", "{:.1f}", "low"),
        ("gc_pause_share", "GC pauses", "{:.0%}", "low"), ("jit_share", "JIT share of CPU", "{:.0%}", "low"),
        ("warmup_s", "warm-up s", "{:.0f}", None)]
COSTED = ["hello", "post", "io", "fanout", "overload", "pool", "million", "db", "scaleout"]
# PostgreSQL's CPU time per request (all its processes), beside the server's own, in the db and scaleout tables.
JVM_ONLY = ("alloc_kb_per_req", "gc_pause_share", "jit_share")  # read from a GC log or the JIT's threads
PG_COST = ("pg_cpu_us_per_req", "PostgreSQL CPU µs/req", "{:.1f}", "low")
OVERLOAD_COLUMNS = [
    ("goodput_rps", "200/s", "{:,.0f}", "high"), ("shed_fraction", "503 share", "{:.1%}", None),
    ("p99_ms", "p99 ms (all)", "{:.0f}", "low"), ("probe_ok_p99_ms", "200 p99 ms", "{:.0f}", "low"),
    ("probe_shed_p50_ms", "503 p50 ms", "{:.1f}", "low"), ("probe_shed_p99_ms", "503 p99 ms", "{:.1f}", "low"),
    ("errors", "errors", "{:,.0f}", "low"), *COST]
# Per scenario: title, unit of the variants, columns (metric, header, format, better: "high"/"low"/None),
# and the primary metric that decides the winner.
TABLES = {
    "hello": ("hello: GET / (plain text), saturating closed-loop load", "c", [
        ("rps", "req/s", "{:,.0f}", "high"), ("p99_ms", "p99 ms", "{:.2f}", "low"),
        ("errors", "errors", "{:,.0f}", "low"), *COST], "rps"),
    "post": ("JSON POST /posts, saturating closed-loop load", "c", [
        ("rps", "req/s", "{:,.0f}", "high"), ("p99_ms", "p99 ms", "{:.2f}", "low"),
        ("errors", "errors", "{:,.0f}", "low"), *COST], "rps"),
    "io": ("IO-bound: GET /io?ms=100 (Little's-law bound = c / 0.1 s)", "c", [
        ("rps", "req/s", "{:,.0f}", "high"), ("bound_fraction", "% of bound", "{:.1%}", "high"),
        ("p50_ms", "p50 ms", "{:.1f}", "low"), ("p99_ms", "p99 ms", "{:.1f}", "low"),
        ("errors", "errors", "{:,.0f}", "low"), *COST], "bound_fraction"),
    "fanout": ("fan-out: GET /fanout?n=10&ms=50 (bound = c / 0.05 s)", "c", [
        ("rps", "req/s", "{:,.0f}", "high"), ("bound_fraction", "% of bound", "{:.1%}", "high"),
        ("p50_ms", "p50 ms", "{:.1f}", "low"), ("p99_ms", "p99 ms", "{:.1f}", "low"),
        ("errors", "errors", "{:,.0f}", "low"), ("fanout_failed", "failed fan-outs", "{:,.0f}", "low"),
        ("cold_timeouts", "timeouts in the warm-up after start", "{:,.0f}", "low"), *COST],
        "bound_fraction"),
    "cpu": ("CPU isolation: p99 of a light GET / load, idle and while /cpu is saturated", None, [
        ("idle_p99_ms", "idle p99 ms", "{:.2f}", "low"), ("loaded_p99_ms", "loaded p99 ms", "{:.2f}", "low"),
        ("p99_ratio", "loaded / idle", "{:.1f}x", "low"), ("loaded_requests", "GET / answered", "{:,.0f}", "high"),
        ("cpu_rps", "/cpu req/s", "{:,.1f}", "high"),
        ("errors", "errors", "{:,.0f}", "low")], "loaded_p99_ms"),
    "overload": ("overload: /io?ms=100 at 10x the limiter's permits", "c", OVERLOAD_COLUMNS, "goodput_rps"),
    "pool": ("past the thread pool: /io?ms=100, more connections than Jetty's 200 threads (loom-service: 200 "
             "permits)", "c",
             OVERLOAD_COLUMNS, "goodput_rps"),
    "million": ("a million requests: GET /io?ms=10", "n", [
        ("rpm", "req/min", "{:,.0f}", "high"), ("seconds", "seconds", "{:.1f}", "low"),
        ("p50_ms", "p50 ms", "{:.1f}", "low"), ("p99_ms", "p99 ms", "{:.1f}", "low"),
        ("p999_ms", "p99.9 ms", "{:.1f}", "low"), ("errors", "errors", "{:,.0f}", "low"),
        ("peak_rss_mb", "peak RSS MiB", "{:,.0f}", "low"), ("cpu_cores", "CPU (cores)", "{:.2f}", None), *COST],
        "rpm"),
    "idle": ("idle keep-alive connections: server memory per connection", "n", [
        ("alive", "alive at end", "{:,.0f}", "high"), ("rss_before_mb", "RSS before MiB", "{:,.0f}", None),
        ("rss_after_mb", "RSS after MiB", "{:,.0f}", None), ("kb_per_conn", "KiB / connection", "{:.1f}", "low")],
        "kb_per_conn"),
    "db": ("db: /posts in PostgreSQL (GET /posts/{id} of seeded rows, POST /posts), saturating", "route", [
        ("rps", "req/s", "{:,.0f}", "high"), ("p99_ms", "p99 ms", "{:.2f}", "low"),
        ("errors", "errors", "{:,.0f}", "low"), *COST, PG_COST], "rps"),
    "scaleout": ("scale-out: 1 loom-service instance, directly and behind HAProxy, and 2 behind HAProxy (one "
                 "server core for all: the balancer's cost, not more capacity)", "route", [
        ("rps", "req/s", "{:,.0f}", "high"), ("p50_ms", "p50 ms", "{:.2f}", "low"),
        ("p99_ms", "p99 ms", "{:.2f}", "low"), ("errors", "errors", "{:,.0f}", "low"),
        ("min_instance_share", "least-used instance's share", "{:.1%}", None),
        ("lb_retries", "HAProxy retries", "{:,.0f}", "low"), ("lb_downs", "instances taken out", "{:,.0f}", "low"),
        *COST,
        ("lb_cpu_us_per_req", "HAProxy CPU µs/req", "{:.1f}", "low"), PG_COST], "rps"),
    "tasks": ("a million concurrent tasks, each sleeping 1 s (one process, one core)", "n", [
        ("wall_s", "wall s", "{:.2f}", "low"), ("process_s", "process s", "{:.2f}", "low"),
        ("peak_rss_mb", "peak RSS MiB", "{:,.0f}", "low")], "wall_s"),
}
# Metrics every run of a scenario must have; a run without them means the harness broke.
REQUIRED = {
    "conformance": ["checks"],
    "hello": ["requests", "rps", "errors"], "post": ["requests", "rps", "errors"],
    "io": ["requests", "rps", "bound_fraction", "errors"],
    "fanout": ["requests", "rps", "bound_fraction", "fanout_failed"],
    "cpu": ["idle_p99_ms", "loaded_p99_ms", "p99_ratio", "loaded_requests", "cpu_rps"],
    "overload": ["goodput_rps", "shed_fraction", "errors"], "pool": ["goodput_rps", "shed_fraction", "errors"],
    "million": ["requests", "rpm", "errors", "peak_rss_mb", "cpu_cores"],
    "idle": ["opened", "alive", "kb_per_conn"], "tasks": ["tasks", "wall_s", "peak_rss_mb"],
    "db": ["requests", "rps", "errors"], "scaleout": ["requests", "rps", "errors"],
}
SERVER_ORDER = ["loom", "loom-nooffload", "helidon-bare", "jetty-virtual", "jetty-platform", "go", "vertx", "node",
                "aiohttp", "uvloop", "loom-lb1", "loom-lb2", "java-threads", "java-threads-warm", "go-goroutines",
                "node-promises", "node-promises-warm", "asyncio-tasks", "uvloop-tasks"]


def load(out):
    path = os.path.join(out, "results.json")
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        raise ResultsError(f"cannot read {path}: {e}")
    check(results, out)
    return results


def check(results, out):
    for key in ("schema", "mode", "environment", "parameters", "servers", "runs", "summary", "failures"):
        if key not in results:
            raise ResultsError(f"results.json lacks '{key}'")
    if results["schema"] != 1:
        raise ResultsError(f"unknown schema {results['schema']}")
    if not results["runs"]:
        raise ResultsError("results.json has no runs")
    for run in results["runs"]:
        scenario, metrics = run.get("scenario"), run.get("metrics", {})
        missing = [m for m in REQUIRED.get(scenario, []) if not isinstance(metrics.get(m), (int, float))]
        if scenario not in REQUIRED or missing:
            raise ResultsError(f"run {scenario}/{run.get('server')} is malformed (missing {missing})")
        if any(isinstance(v, float) and not math.isfinite(v) for v in metrics.values()):
            raise ResultsError(f"run {scenario}/{run['server']} has a metric that is not a finite number")
        # Results that name their JVMs (jvm_servers) come from a harness that measures every run's cost.
        if ("jvm_servers" in results and scenario in COSTED and metrics.get("requests")
                and "cpu_us_per_req" not in metrics):
            raise ResultsError(f"run {scenario}/{run['server']} lacks cpu_us_per_req")
    # The CSVs must say the same as the JSON.
    with open(os.path.join(out, "runs.csv")) as f:
        rows = list(csv.DictReader(f))
    expected = sum(1 for r in results["runs"] for v in r["metrics"].values() if isinstance(v, (int, float)))
    if len(rows) != expected:
        raise ResultsError(f"runs.csv has {len(rows)} rows, results.json {expected} values")
    for row in rows:
        try:
            float(row["value"])
        except (TypeError, ValueError):
            raise ResultsError(f"runs.csv has a value that is not a number: {row}")
    with open(os.path.join(out, "summary.csv")) as f:
        if len(list(csv.DictReader(f))) != len(results["summary"]):
            raise ResultsError("summary.csv and results.json disagree")


class Summary:
    def __init__(self, results):
        self.rows = {(r["scenario"], r["variant"], r["server"], r["metric"]): r for r in results["summary"]}
        self.labels = results["servers"]
        self.jvms = results.get("jvm_servers")  # None in results from before allocation was measured
        self.models = results.get("models", {})  # {} in results from before servers were grouped by model

    def ordered(self, servers):
        """Servers grouped by model (in MODELS' order), then in SERVER_ORDER within a model."""
        def key(s):
            model = self.models.get(s)
            return (MODELS.index(model) if model in MODELS else len(MODELS),
                    SERVER_ORDER.index(s) if s in SERVER_ORDER else 99)
        return sorted(servers, key=key)

    def model_cells(self, servers):
        """Each server's model, written once at the start of its group ("" after), for a table's model column."""
        cells, last = [], None
        for s in servers:
            model = self.models.get(s, "")
            cells.append(model if model != last else "")
            last = model
        return cells

    def cell(self, scenario, variant, server, metric, fmt, spread=True):
        """A table cell: the median (±half the spread), "-" when not measured, empty when it can not apply
        (allocation of a server that is not a JVM: only a GC log tells it)."""
        if metric in JVM_ONLY and self.jvms is not None and server not in self.jvms:
            return ""
        return cell(self.get(scenario, variant, server, metric), fmt, spread)

    def get(self, scenario, variant, server, metric):
        return self.rows.get((scenario, variant, server, metric))

    def median(self, scenario, variant, server, metric):
        row = self.get(scenario, variant, server, metric)
        return row["median"] if row else None

    def variants(self, scenario):
        found = {v for (s, v, _, _) in self.rows if s == scenario}
        return sorted(found, key=lambda v: (len(v), v))

    def servers(self, scenario):
        return self.ordered({srv for (s, _, srv, _) in self.rows if s == scenario})


def cell(row, fmt, spread=True):
    if row is None:
        return "-"
    value = row["median"]
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    text = fmt.format(value)
    if spread and row["n"] > 1 and value:
        spread = (row["max"] - row["min"]) / 2 / abs(value)
        text += f" ±{spread:.0%}"
    return text


def scenario_table(summary, scenario, params):
    title, unit, columns, primary = TABLES[scenario]
    variants, servers = summary.variants(scenario), summary.servers(scenario)
    if not servers:
        return []
    # Results from before the harness measured cost per request show their tables as they were.
    columns = [c for c in columns if c not in COST
               or any(summary.get(scenario, v, s, c[0]) for v in variants for s in servers)]
    lines = [f"### {title}", ""]
    for variant in variants:
        label = variant_label(variant, unit)
        if label:
            lines.append(f"**{label}**")
            lines.append("")
        grouped = bool(summary.models)
        lines.append(f"| {'model | ' if grouped else ''}{'runtime' if scenario == 'tasks' else 'server'} | "
                     + " | ".join(h for _, h, _, _ in columns) + " |")
        lines.append("|---|" + ("---|" if grouped else "") + "---:|" * len(columns))
        for server, model in zip(servers, summary.model_cells(servers)):
            cells = [summary.cell(scenario, variant, server, m, fmt) for m, _, fmt, _ in columns]
            lines.append(f"| {model + ' | ' if grouped else ''}{summary.labels.get(server, server)} | "
                         + " | ".join(cells) + " |")
        lines.append("")
        if scenario != "scaleout":  # three setups of loom-service, not servers competing
            lines.extend(winner_line(summary, scenario, variant, servers, columns, primary))
    return lines


def cost_table(summary):
    """Every server side by side at every throughput point: the scenario's main number, then what a request cost
    the server in CPU time and in heap allocated (medians). With the bare Helidon peer beside loom-service, this
    splits loom-service's distance to a peer into Helidon's (and Loom's) share and loom-service's own."""
    points = [(s, v) for s in COSTED if s != "scaleout" for v in summary.variants(s)]  # scaleout: one server
    servers = summary.ordered(srv for srv in SERVER_ORDER
                              if any(summary.get(s, v, srv, "cpu_us_per_req") for s, v in points))
    if not servers:
        return []
    lines = ["| | " + " | ".join(summary.labels.get(s, s) for s in servers) + " |",
             "|---|" + "---:|" * len(servers)]
    if summary.models:
        lines.append("| model | " + " | ".join(summary.model_cells(servers)) + " |")
    for scenario, variant in points:
        _, unit, columns, primary = TABLES[scenario]
        shown = [c for c in columns if c[0] == primary] + COST
        if unit == "route":
            name = f"{scenario} {variant_label(variant, unit)}"
        else:
            name = f"{scenario} {unit}={int(variant[1:]):,}" if unit else scenario
        for metric, header, fmt, _ in shown:
            cells = [summary.cell(scenario, variant, s, metric, fmt, spread=False) for s in servers]
            if any(c not in ("", "-") for c in cells):
                lines.append(f"| {name}: {header} | " + " | ".join(cells) + " |")
    return ["## Every server, per request", "",
            "Medians (spreads in the tables under Results). CPU µs/req: the server process's user + system CPU "
            "time over the measured run / requests answered. alloc KB/req (JVMs only, 1 KB = 1,024 bytes): heap "
            "allocated over the run, from the JVM's GC log / requests answered; \"-\" when no collection "
            "happened during the run. Neither counts the warm-up or the load generator. JIT share of CPU (JVMs "
            "only): the JIT compiler threads' part of that CPU time. warm-up s: seconds of load before the point; a "
            "JVM's goes on until its JIT is quiet (bench/README, \"Warm-up until the JIT is quiet\").", "",
            *lines, ""]


# The db and scaleout variants: ROUTE-cN.
ROUTES = {"get": "GET /posts/{id}", "post": "POST /posts", "hello": "GET /"}


def variant_label(variant, unit):
    if unit == "route":
        route, _, c = variant.rpartition("-c")
        return f"{ROUTES.get(route, route)}, {int(c):,} connections"
    if unit == "c" and variant.startswith("c"):
        return f"{int(variant[1:]):,} connections"
    if unit == "n" and variant.startswith("n"):
        return f"{int(variant[1:]):,}"
    return ""


def winner_line(summary, scenario, variant, servers, columns, primary):
    better = next(b for m, _, _, b in columns if m == primary)
    header = next(h for m, h, _, _ in columns if m == primary)
    values = {s: summary.median(scenario, variant, s, primary) for s in servers}
    values = {s: v for s, v in values.items() if v is not None and not math.isnan(v)}
    if not values:
        return []
    best = (max if better == "high" else min)(values, key=values.get)
    ours = next((s for s in ("loom", "java-threads") if s in values), None)
    fmt = next(f for m, _, f, _ in columns if m == primary)
    line = f"Best on {header}: **{summary.labels.get(best, best)}** ({fmt.format(values[best])})"
    if ours == best:
        line += ": ours"
    elif ours:
        line += f". A peer wins this one: {summary.labels.get(ours, ours)} has {fmt.format(values[ours])}"
    return [line + ".", ""]


def targets(summary, params, quick):
    """The project's targets and where loom-service (default configuration) stands against each."""
    rows = []

    def add(target, value, fmt, ok):
        status = "not measured" if value is None else ("met" if ok else "**not met**")
        rows.append(f"| {target} | {'-' if value is None else fmt.format(value)} | {status} |")

    for c in params["hello_c"]:
        v = f"c{c}"
        ours = summary.median("hello", v, "loom", "rps")
        for peer, factor, name in (("uvloop", 3.0, "aiohttp+uvloop"), ("vertx", 0.8, "the Vert.x peer")):
            theirs = summary.median("hello", v, peer, "rps")
            ratio = ours / theirs if ours and theirs else None
            add(f"hello (c={c}) >= {factor:g}x {name}", ratio, "{:.2f}x", ratio is not None and ratio >= factor)
    for c in params["io_c"]:
        v = f"c{c}"
        frac = summary.median("io", v, "loom", "bound_fraction")
        add(f"IO-bound (c={c:,}) >= 95% of the Little's-law bound", frac, "{:.1%}", frac is not None and frac >= 0.95)
        over = summary.median("io", v, "loom", "p99_over_floor")
        add(f"IO-bound (c={c:,}) p99 <= 1.15x the {params['io_ms']} ms sleep", over, "{:.2f}x",
            over is not None and over <= 1.15)
    ratio = summary.median("cpu", "isolation", "loom", "p99_ratio")
    add("CPU isolation: GET / p99 under /cpu saturation <= 2x its idle p99", ratio, "{:.1f}x",
        ratio is not None and ratio <= 2)
    n = params["million_requests"]
    row = summary.get("million", f"n{n}", "loom", "errors")
    worst = row["max"] if row else None
    add(f"zero errors in the {n:,}-request run (worst of the runs)", worst, "{:,.0f}", worst == 0)

    # The performance issue's targets: loom-service against the bare Helidon peer (what is ours) and the peers.
    def ratio(scenario, variant, metric, theirs, ours="loom"):
        a, b = summary.median(scenario, variant, ours, metric), summary.median(scenario, variant, theirs, metric)
        return a / b if a is not None and b else None

    def at_most(target, value, limit, fmt="{:.2f}x"):
        add(target, value, fmt, value is not None and value <= limit)

    def at_least(target, value, limit, fmt="{:.2f}x"):
        add(target, value, fmt, value is not None and value >= limit)

    for c in params["hello_c"]:
        at_most(f"hello (c={c}) CPU µs/request <= 1.10x bare Helidon", ratio("hello", f"c{c}", "cpu_us_per_req",
                                                                            "helidon-bare"), 1.10)
    top = max(params["io_c"])
    at_most(f"IO-bound (c={top:,}) CPU µs/request <= 1.15x bare Helidon",
            ratio("io", f"c{top}", "cpu_us_per_req", "helidon-bare"), 1.15)
    at_least(f"IO-bound (c={top:,}) req/s >= 0.8x the Vert.x peer", ratio("io", f"c{top}", "rps", "vertx"), 0.8)
    fan = f"c{params['fanout_c']}"
    at_least("fan-out req/s >= Node's", ratio("fanout", fan, "rps", "node"), 1.0)
    at_least("fan-out req/s >= 0.8x the Vert.x peer", ratio("fanout", fan, "rps", "vertx"), 0.8)
    at_most(f"fan-out p99 <= 2x the downstream {params['fanout_ms']} ms", summary.median("fanout", fan, "loom",
                                                                                          "p99_ms"),
            2 * params["fanout_ms"], "{:.0f} ms")
    row = summary.get("fanout", fan, "loom", "cold_timeouts")
    worst = row["max"] if row else None
    add(f"fan-out: no timeouts in the {params['warmup']} s after its start (worst of the starts)", worst, "{:,.0f}",
        worst == 0)
    at_most(f"{n:,} requests in <= 1.5x the Vert.x peer's wall time", ratio("million", f"n{n}", "seconds", "vertx"),
            1.5)
    idle_kib = summary.median("idle", f"n{params['idle_conns']}", "loom", "kb_per_conn")
    at_most(f"{params['idle_conns']:,} idle connections at <= 10 KiB each", idle_kib, 10, "{:.1f} KiB")
    at_most(f"{params['tasks']:,} tasks in <= 2x Node's wall time",
            ratio("tasks", f"n{params['tasks']}", "wall_s", "node-promises", ours="java-threads"), 2)
    if "tasks_warmup" in params:  # results since 2026-12-05: the same, both runtimes after the same warm-up
        at_most(f"{params['tasks']:,} tasks in <= 2x Node's wall time, both after {params['tasks_warmup']:,} "
                f"untimed ones", ratio("tasks", f"n{params['tasks']}", "wall_s", "node-promises-warm",
                                       ours="java-threads-warm"), 2)
    status = "status (quick mode: not a measurement)" if quick else "status"
    return [f"| target | loom-service | {status} |", "|---|---:|---|", *rows, ""]


def environment_lines(results):
    env, p = results["environment"], results["parameters"]
    keys = ["host", "cpu", "cores", "memory_gib", "kernel", "server_cpus", "client_cpus", "loadavg_start",
            "loadavg_end", "nofile_limit", "commit", "jdk", "jvm_gc_on_server_cores", "loom_service", "helidon",
            "jetty", "vertx", "go", "python", "aiohttp", "uvloop", "node", "wrk", "postgresql", "asyncpg", "node_pg",
            "haproxy"]
    lines = ["| | |", "|---|---|"] + [f"| {k} | {env.get(k, '-')} |" for k in keys]
    settle = f" ({p['settle']} s before each later point of the same start)" if "settle" in p else ""
    lines += ["", f"Parameters: {p['repeats']} measured run(s) of {p['duration']} s after {p['warmup']} s of warm-up "
                  f"per server start{settle}; wrk with {p['wrk_threads']} thread(s). Cells: median ±half the min-max "
                  "spread.", ""]
    return lines


def render(out):
    results = load(out)
    summary = Summary(results)
    p = results["parameters"]
    charts = draw_charts(summary, p, os.path.join(out, "charts"))
    quick = results["mode"] == "quick"
    ran = list(results["scenario_seconds"])
    offered = [s for s in SCENARIOS if (s != "pool" or "pool_threads" in p)  # results from before `pool` lack it
               and (s not in NAMED_ONLY or quick)]
    partial = f" of {len(ran)} scenarios only ({', '.join(ran)})" if len(ran) < len(offered) else ""
    lines = [f"# loom-service bench: {results['mode']} run{partial}, {results['started']}", ""]
    if quick:
        lines += ["> **Quick mode**: every scenario at a tiny scale, one short run each, on a machine doing other "
                  "things. These numbers only show that the harness works. Do not quote them.", ""]
    lines += [f"Command: `{results['command']}`", ""]
    if results["failures"]:
        lines += ["**Failures** (these points are missing below):", ""]
        lines += [f"- {f['scenario']} on {f['server']}: {f['error']}" for f in results["failures"]] + [""]
    lines += ["## Where we stand", "", *targets(summary, p, quick)]
    if p["overload_permits"] and "overload" in ran:
        lines += [f"Overload runs use loom-service with `-Dapp.limiter.permits={p['overload_permits']} "
                  f"-Dapp.limiter.queue-length={p['overload_queue']}` (not the defaults of 10,000 + 1,000: 10x those "
                  f"needs more connections than the file-descriptor limit allows), and every peer at the same "
                  f"{p['overload_factor'] * p['overload_permits']:,} connections. The peers have no limiter. With "
                  f"{p['overload_permits']} permits and {p['io_ms']} ms per request, loom-service can answer at most "
                  f"{p['overload_permits'] / (p['io_ms'] / 1000):,.0f} requests/s with 200; the rest is shed with 503. "
                  f"wrk is a closed loop that retries a 503 at once and ignores Retry-After.", ""]
    if p.get("pool_threads") and "pool" in ran:
        threads = p["pool_threads"]
        lines += [f"The `pool` runs put {p['pool_c']:,} connections on `/io?ms={p['io_ms']}`. Jetty on its default "
                  f"pool of {threads} platform threads runs at most {threads} requests at once (fewer: its selector "
                  f"and acceptor use pool threads too), so at most {threads / (p['io_ms'] / 1000):,.0f} req/s; the "
                  f"rest wait in Jetty's job queue, which has no bound. loom-service runs with "
                  f"`-Dapp.limiter.permits={threads} -Dapp.limiter.queue-length={p['overload_queue']}`: the same "
                  f"cap, a bounded queue, and 503 + Retry-After beyond it. Jetty on virtual threads has no cap.", ""]
    lines += cost_table(summary)
    lines += ["## Charts", ""] + [f"![{name}](charts/{name}.png)" for name in charts] + [""]
    lines += ["## Results", ""]
    for scenario in TABLES:
        lines += scenario_table(summary, scenario, p)
    checks = [r for r in results["runs"] if r["scenario"] == "conformance"]
    if checks:
        lines += [f"Conformance: {len(checks)} server(s) gave the same answers to the same "
                  f"{checks[0]['metrics']['checks']} requests before being measured.", ""]
    lines += ["## Machine and versions", "", *environment_lines(results)]
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(lines))


# ---------------------------------------------------------------------------------------------------- charts

# Shades of one hue per model: blues for virtual threads, brown for platform threads, gold for goroutines; the
# event loops keep their own colours.
COLORS = {"loom-lb1": "#5b8def", "loom-lb2": "#0b3d91", "loom": "#1f6feb", "loom-nooffload": "#8ab4f8", "helidon-bare": "#17a2b8", "jetty-virtual": "#3949ab",
          "jetty-platform": "#8d6e63", "go": "#c9a227", "vertx": "#7d3c98", "node": "#2e8b57", "aiohttp": "#d9822b",
          "uvloop": "#c0392b", "java-threads": "#1f6feb", "java-threads-warm": "#0b3d91", "go-goroutines": "#c9a227",
          "node-promises": "#2e8b57", "node-promises-warm": "#1b5e20",
          "asyncio-tasks": "#d9822b", "uvloop-tasks": "#c0392b"}


def bars(ax, summary, groups, metric, title, ylabel, scale=1.0, log=False):
    """Grouped bars: one group per (scenario, variant, label[, metric]), one bar per server (grouped by model),
    min-max whiskers. Returns the servers drawn, in order."""
    groups = [(g + (metric,))[:4] for g in groups]
    groups = [g for g in groups if any(summary.get(g[0], g[1], s, g[3]) for s in SERVER_ORDER)]  # scenarios that ran
    servers = summary.ordered(s for s in SERVER_ORDER if any(summary.get(sc, v, s, m) for sc, v, _, m in groups))
    width = 0.8 / max(1, len(servers))
    drawn = []
    for i, server in enumerate(servers):
        xs, ys, lo, hi = [], [], [], []
        for g, (scenario, variant, _, m) in enumerate(groups):
            row = summary.get(scenario, variant, server, m)
            if row and not math.isnan(row["median"]):
                xs.append(g + (i - (len(servers) - 1) / 2) * width)
                ys.append(row["median"] * scale)
                lo.append((row["median"] - row["min"]) * scale)
                hi.append((row["max"] - row["median"]) * scale)
        if xs:
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=summary.labels.get(server, server),
                   color=COLORS.get(server))
            drawn.append(server)
    ax.set_xticks(range(len(groups)), [label for _, _, label, _ in groups])
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)
    return drawn


def legend(ax, summary, drawn):
    """The legend of bars(): the servers drawn under a bold heading per model (when the results name models);
    lines drawn after the bars (bounds) come last."""
    handles, labels = ax.get_legend_handles_labels()
    by_label = dict(zip(labels, handles))
    items, last = [], None
    for server in drawn:
        label = summary.labels.get(server, server)
        model = summary.models.get(server)
        if model and model != last:
            items.append((Patch(visible=False), model))
            last = model
        items.append((by_label[label], label))
    bar_labels = {summary.labels.get(s, s) for s in drawn}
    items += [(h, t) for h, t in zip(handles, labels) if t not in bar_labels]
    shown = ax.legend([h for h, _ in items], [t for _, t in items], fontsize=7)
    for text, (handle, _) in zip(shown.get_texts(), items):
        if isinstance(handle, Patch) and not handle.get_visible():  # a model's heading
            text.set_fontweight("bold")


def pool_wall(ax, summary, groups, p, scale):
    """Where the platform-thread pool caps a group of /io points: pool_threads concurrent sleeps, as a share of
    each point's Little's-law bound (scale 100: percent). Drawn only when the pool's server ran."""
    threads = p.get("pool_threads")
    if not threads or not any(summary.get(sc, v, "jetty-platform", "rps") for sc, v, _ in groups):
        return
    for g, (_, variant, _) in enumerate(groups):
        c = int(variant[1:])
        ax.hlines(min(1.0, threads / c) * scale, g - 0.45, g + 0.45, colors="#8d6e63", linestyles="--", lw=1,
                  label=f"{threads}-thread pool's wall" if g == 0 else None)


def draw_charts(summary, p, folder):
    os.makedirs(folder, exist_ok=True)
    made = []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(os.path.join(folder, name + ".png"), dpi=110)
        plt.close(fig)
        made.append(name)

    groups = [(s, f"c{c}", f"{s} c={c}") for s in ("hello", "post") for c in p.get(f"{s}_c", p["hello_c"])]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    drawn = bars(ax, summary, groups, "rps", "Throughput: GET / and JSON POST (higher is better)", "requests/s")
    if drawn:
        legend(ax, summary, drawn)
        save(fig, "throughput")
    else:
        plt.close(fig)

    io = [("io", f"c{c}", f"/io?ms={p['io_ms']} c={c:,}") for c in p["io_c"]]
    fanout = ("fanout", f"c{p['fanout_c']}", f"fan-out c={p['fanout_c']}")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    drawn = bars(a1, summary, io + [fanout], "bound_fraction", "Share of the Little's-law bound (higher is better)",
                 "%", 100)
    if drawn:
        a1.axhline(95, color="gray", ls="--", lw=1)
        pool_wall(a1, summary, io, p, 100)
        bars(a2, summary, io + [fanout], "p99_ms", "p99 latency (lower is better)", "ms", log=True)
        a2.axhline(p["io_ms"], color="gray", ls=":", lw=1)
        legend(a1, summary, drawn)
        save(fig, "io")
    else:
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(10, 4.5))
    servers = summary.ordered(s for s in SERVER_ORDER if summary.get("cpu", "isolation", s, "idle_p99_ms"))
    if servers:
        xs = range(len(servers))
        idle = [summary.median("cpu", "isolation", s, "idle_p99_ms") for s in servers]
        busy = [summary.median("cpu", "isolation", s, "loaded_p99_ms") for s in servers]
        ax.bar([x - 0.2 for x in xs], idle, 0.4, label="idle", color="#9fb4c7")
        ax.bar([x + 0.2 for x in xs], busy, 0.4, label="/cpu saturated", color="#c0392b")
        names = [summary.labels.get(s, s) + (f"\n[{summary.models[s]}]" if s in summary.models else "")
                 for s in servers]
        ax.set_xticks(list(xs), names, rotation=15, fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("p99 of GET / (ms, log scale)")
        ax.set_title("CPU isolation: GET / p99 while /cpu saturates the server (lower is better)")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        save(fig, "cpu_isolation")
    else:
        plt.close(fig)

    c = p["overload_factor"] * p["overload_permits"]
    overload_chart(summary, p, "overload", c, p["overload_permits"], "loom-service's limiter bound", save)
    if p.get("pool_threads"):
        overload_chart(summary, p, "pool", p["pool_c"], p["pool_threads"],
                       f"{p['pool_threads']} threads (Jetty) / permits (loom-service)", save)

    if "db_c" in p:  # results from before the db scenario lack it
        db = [("db", f"{route}-c{c}", f"{ROUTES[route]} c={c}") for route in ("get", "post") for c in p["db_c"]]
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
        drawn = bars(a1, summary, db, "rps", "/posts in PostgreSQL: throughput (higher is better)", "requests/s")
        if drawn:
            bars(a2, summary, db, "cpu_us_per_req", "Server CPU per request (lower is better)", "µs")
            legend(a1, summary, drawn)
            save(fig, "db")
        else:
            plt.close(fig)
        c = p["scaleout_c"]
        out = [("scaleout", f"{route}-c{c}", f"{ROUTES[route]} c={c}") for route in ("hello", "get")]
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
        drawn = bars(a1, summary, out, "rps", "Scale-out on one server core: throughput", "requests/s")
        if drawn:
            bars(a2, summary, out, "p99_ms", "p99 latency (lower is better)", "ms")
            legend(a1, summary, drawn)
            save(fig, "scaleout")
        else:
            plt.close(fig)

    n = f"n{p['million_requests']}"
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    drawn = bars(a1, summary, [("million", n, "requests per minute")], "rpm", f"{p['million_requests']:,} requests "
                 f"to /io?ms={p['million_ms']}", "requests/min")
    if drawn:
        bars(a2, summary, [("million", n, "peak RSS")], "peak_rss_mb", "Peak RSS during the run", "MiB")
        legend(a1, summary, drawn)
        save(fig, "million")
    else:
        plt.close(fig)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    idle_drawn = bars(a1, summary, [("idle", f"n{p['idle_conns']}", f"{p['idle_conns']:,} idle connections")],
                      "kb_per_conn", "Memory per idle keep-alive connection", "KiB")
    tasks_drawn = bars(a2, summary, [("tasks", f"n{p['tasks']}", f"{p['tasks']:,} tasks sleeping 1 s")],
                       "peak_rss_mb", "Peak RSS of N concurrent sleeping tasks", "MiB")
    if idle_drawn or tasks_drawn:
        for ax, drawn in ((a1, idle_drawn), (a2, tasks_drawn)):
            if drawn:
                legend(ax, summary, drawn)
        save(fig, "memory")
    else:
        plt.close(fig)
    return made


def overload_chart(summary, p, scenario, c, cap, cap_label, save):
    """Goodput against the bound of `cap` requests in flight, and the latency of a 200 and of a 503 as the probe
    saw them; the chart is named after the scenario."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    drawn = bars(a1, summary, [(scenario, f"c{c}", f"{c:,} connections")], "goodput_rps",
                 f"{scenario}: goodput (200/s)", "200/s")
    if drawn:
        a1.axhline(cap / (p["io_ms"] / 1000), color="gray", ls="--", lw=1, label=cap_label)
        bars(a2, summary, [(scenario, f"c{c}", "p99 of a 200", "probe_ok_p99_ms"),
                           (scenario, f"c{c}", "p99 of a 503", "probe_shed_p99_ms")], None,
             f"{scenario}: latency a client sees (probe)", "ms", log=True)
        legend(a1, summary, drawn)
        save(fig, scenario)
    else:
        plt.close(fig)
