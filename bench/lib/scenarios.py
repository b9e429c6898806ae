"""The scenarios. Each one starts the servers it needs (pinned to the server cores), warms them up, measures the
repeats it is given (`Context.repeats`) with the load generator on the client cores, and records one row of
metrics per run."""
import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from haproxy import HaProxy
from load import Probe, Wrk
from postgres import Postgres
from procs import RunCost, Sampler, Server, await_quiet, cpu_seconds, jit_cpu_seconds, peak_rss_kb, pinned, rss_kb
from servers import BENCH, GO_TASKS, MODELS, PYTHON


class Context:
    """What every scenario needs: parameters, cores, ports, where raw output goes, and the results so far."""

    def __init__(self, params, java, port_base, server_cpus, client_cpus, raw_dir, log=print):
        self.p = params
        self.java = java
        self.port_base = port_base
        self.server_cpus = server_cpus
        self.client_cpus = client_cpus
        self.raw_dir = raw_dir
        self.log = log
        self.runs = []
        self._port = 0
        self._round = None
        self._postgres = None
        self._store = 0
        self._kept = {}  # server name -> the start that serves every round of the current scenario
        self._warmed = {}  # (server, point index) -> seconds of warm-up before that point's first measured run
        self.scratch = tempfile.mkdtemp(prefix="loom-bench-")  # removed by close()

    def in_round(self, index):
        """From now on scenarios measure only repeat `index` (None: all of them, one after another)."""
        self._round = index

    def warmup(self, index):
        """Seconds of load before a server start's point number `index`: the whole warm-up before its first point
        (a fresh JVM compiles its hot paths then), a short settle before each later one (a new concurrency or route
        on a server that is already warm)."""
        return self.p["warmup"] if index == 0 else self.p["settle"]

    def warm(self, server, path, connections, index, tag, jvms=None, **kw):
        """Load before a server start's point number `index`; returns the first slice's wrk result with "cold"
        (whether it was the start's first load: then its errors and timeouts are the cold ones) and "warmup_s" (the
        seconds of load before the point's first measured run).

        First warmup(index) seconds. Then, for a JVM, more slices of `settle` seconds for as long as its JIT
        compiler threads took more than `jit_quiet` of its CPU time in the slice before, up to `warmup_max`
        seconds in all (the last slice cut to fit): a steady state, as a server that has run for a while is in.
        Without that a point measured the compiler too, and more of it the more code a route runs (bench/README,
        "Warm-up until the JIT is quiet"). A start kept for later rounds (server(keep=True)) is warm then: its
        first slice there is `settle` seconds, as before a later point. `jvms`: the servers whose compilers are
        watched, when the load goes through another process (the balancer in front of them); default `server`."""
        jvms = jvms or [server]
        again = (server, index) in self._warmed  # a kept start in a later round: warm already, it settles
        seconds, shares = self.p["settle"] if again else self.warmup(index), []
        cpu0, jit0 = _summed_cpu(jvms)
        first = self.wrk(server, path, connections, seconds, f"{tag}-warmup", **kw).run()
        while jit0 is not None and seconds < self.p["warmup_max"]:
            cpu1, jit1 = _summed_cpu(jvms)
            if cpu1 is None or jit1 is None or cpu1 <= cpu0:
                break
            shares.append(max(0.0, jit1 - jit0) / (cpu1 - cpu0))
            if shares[-1] <= self.p["jit_quiet"]:
                break
            cpu0, jit0 = cpu1, jit1
            more = min(self.p["settle"], self.p["warmup_max"] - seconds)
            await_quiet(jvms)
            self.wrk(server, path, connections, more, f"{tag}-warmup-{seconds}", **kw).run()
            seconds += more
        if shares:
            self.log(f"  warm-up {tag}: {seconds} s, the JIT's share of each slice: "
                     + ", ".join(f"{share:.0%}" for share in shares))
        seconds = self._warmed.setdefault((server, index), seconds)
        return first | {"warmup_s": seconds, "cold": index == 0 and not again}

    def repeats(self):
        """The repeat indices the current call measures: one per round when rounds interleave the servers."""
        return range(self.p["repeats"]) if self._round is None else [self._round]

    def _tagged(self, tag):
        return tag if self._round is None else f"{tag}-r{self._round}"

    @contextlib.contextmanager
    def server(self, spec, tag, extra_props=(), extra_args=(), keep=False):
        """A started server, stopped when the block ends; with `keep`, in rounds, one start serves every round of
        the scenario (started in the first, stopped by end_scenario()), so that each server is started and warmed
        once, not once per round. The servers kept wait, idle on the server cores, while another one is measured
        (cost() records what they took meanwhile)."""
        if keep and self._round is not None:
            server = self._kept.get(spec.name)
            if server is None:
                server = self._kept[spec.name] = self._start(spec, tag, extra_props, extra_args)
            if not server.alive():
                raise RuntimeError(f"{spec.name} died during {tag}; see {server.log.name}")
            yield server
            return
        server = self._start(spec, tag, extra_props, extra_args)
        try:
            yield server
        finally:
            alive = server.alive()
            server.stop()
            if not alive:
                raise RuntimeError(f"{spec.name} died during {tag}; see {server.log.name}")

    def starts(self, spec):
        """Whether the next server(spec, keep=True) starts it (rather than handing out a kept start)."""
        return self._round is None or spec.name not in self._kept

    def end_scenario(self, names=None):
        """Stops the kept starts (of `names`, default all); returns the names of those that had died."""
        if names is None:
            self._warmed.clear()
        died = []
        for name in [n for n in self._kept if names is None or n in names]:
            server = self._kept.pop(name)
            if not server.alive():
                died.append(name)
            server.stop()
        return died

    def cost(self, server):
        """A RunCost of `server`, started once it and every other kept start have closed each connection of their
        last runs (Server.await_quiet), that also records what those others took meanwhile. The others too:
        Jetty's platform pool, for one, is still answering its queue of 10,000 `/io` requests when its turn ends,
        and would take the core from the next server's run."""
        neighbours = [s for s in self._kept.values() if s is not server]
        await_quiet([server, *neighbours])
        return RunCost(server, neighbours)

    def _start(self, spec, tag, extra_props, extra_args):
        # A new port for every start, so a server never waits for the previous one's port to be released. If
        # --port-base puts them in Linux's ephemeral range (32768-60999), a client socket may hold one: probe
        # before use, and try the next port if the server still loses the race.
        for _ in range(20):
            port = self.port_base + 10 + self._port % 900
            self._port += 1
            if not port_free(port):
                continue
            stem = self.raw(self._tagged(f"{tag}-{spec.name}-server"))
            try:
                return Server(spec, port, self.server_cpus, stem + ".log", self._own_store(spec, tag, extra_props),
                              gc_log=stem + "-gc.log", extra_args=extra_args)
            except RuntimeError as e:
                with open(stem + ".log", errors="replace") as f:
                    if "in use" not in f.read():
                        raise e
        raise RuntimeError(f"no free port from {self.port_base + 10} up for {spec.name}")

    def free_port(self):
        """A port from the servers' range that nothing listens on now (for HAProxy's frontend)."""
        for _ in range(900):
            port = self.port_base + 10 + self._port % 900
            self._port += 1
            if port_free(port):
                return port
        raise RuntimeError(f"no free port from {self.port_base + 10} up")

    def _own_store(self, spec, tag, props):
        """loom-service's start with `props`, plus, unless they name a database, an empty embedded one of its own:
        the H2 file database it uses by default, in a new folder under the run's scratch directory, so runs never
        write into the user's data/loom.mv.db, nor carry one start's rows (or a broken file) into the next."""
        if not spec.ours or any(p.startswith("app.db.url=") for p in props):
            return tuple(props)
        self._store += 1
        return (*props, f"app.db.url=jdbc:h2:file:{self.scratch}/h2-{self._store}-{tag}/loom")

    def postgres(self):
        """The run's one PostgreSQL (started on first use, on the client cores, port port_base + 1); close() stops
        it."""
        if self._postgres is None:
            self._postgres = Postgres(self.port_base + 1, self.client_cpus, self.raw("postgres.log"))
        return self._postgres

    def close(self):
        self.end_scenario()
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None

    def settled_rss_kb(self, spec, server):
        """The server's RSS once garbage from the warm-up is gone. A JVM keeps dead objects until a collection,
        and its heap grows and shrinks by whole regions, which would swamp the few KiB per idle connection; so
        every JVM (ours and the Java peers alike) gets a full GC (jcmd GC.run) first. Python and Node free as they
        go; Go's RSS is read as it stands (no forced collection)."""
        if spec.jvm:
            jcmd = os.path.join(os.path.dirname(self.java), "jcmd")
            subprocess.run([jcmd, str(server.pid), "GC.run"], capture_output=True, timeout=60, check=True)
        time.sleep(2)
        return rss_kb(server.pid)

    def raw(self, name):
        return os.path.join(self.raw_dir, name)

    def wrk(self, server, path, connections, duration_s, tag, **kw):
        kw.setdefault("threads", self.p["wrk_threads"])
        return Wrk(server.url + path, connections, duration_s, cpus=self.client_cpus,
                   raw_path=self.raw(self._tagged(tag) + ".txt"), **kw)

    def record(self, scenario, variant, spec, repeat, metrics):
        row = {"scenario": scenario, "variant": variant, "server": spec if isinstance(spec, str) else spec.name,
               "repeat": repeat, "metrics": metrics}
        self.runs.append(row)
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()
                          if not isinstance(v, dict))
        self.log(f"  {scenario}/{variant} {row['server']} #{repeat}: {shown}")


def port_free(port):
    """Whether a listener could bind 127.0.0.1:port right now (no SO_REUSEADDR, as a strict server binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def throughput_metrics(r):
    """What a throughput table needs; latencies only when something was answered."""
    return {k: r[k] for k in ("requests", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors")
            if r[k] is not None}


def closed_loop(ctx, spec, scenario, path, script, levels, bound_s=None):
    """Saturating load at each concurrency level: warm-up, then the measured runs."""
    p = ctx.p
    with ctx.server(spec, scenario, keep=True) as server:
        for k, c in enumerate(levels):
            variant = f"c{c}"
            warm = ctx.warm(server, path, c, k, f"{scenario}-{variant}-{spec.name}", script=script)
            for i in ctx.repeats():
                cost = ctx.cost(server)
                r = ctx.wrk(server, path, c, p["duration"], f"{scenario}-{variant}-{spec.name}-{i}",
                            script=script).run()
                m = throughput_metrics(r) | cost.per_request(r["requests"]) | {"warmup_s": warm["warmup_s"]}
                if bound_s:
                    # Little's law: c clients that each wait bound_s per request cannot exceed c / bound_s.
                    m["bound_rps"] = c / bound_s
                    m["bound_fraction"] = r["rps"] / (c / bound_s)
                    if r["p99_ms"] is not None:
                        m["p99_over_floor"] = r["p99_ms"] / (bound_s * 1000)
                if script == "fanout.lua":
                    m["fanout_failed"] = r["statuses"].get("fanout_failed", 0)
                if warm["cold"]:
                    # The first seconds after a start, as a user's first clients meet them.
                    m["cold_errors"], m["cold_timeouts"] = warm["errors"], warm["timeouts"]
                ctx.record(scenario, variant, spec, i, m)


def hello(ctx, spec):
    closed_loop(ctx, spec, "hello", "/", "get.lua", ctx.p["hello_c"])


def post(ctx, spec):
    closed_loop(ctx, spec, "post", "/posts", "post.lua", ctx.p["post_c"])


def io(ctx, spec):
    ms = ctx.p["io_ms"]
    closed_loop(ctx, spec, "io", f"/io?ms={ms}", "get.lua", ctx.p["io_c"], bound_s=ms / 1000)


def fanout(ctx, spec):
    n, ms = ctx.p["fanout_n"], ctx.p["fanout_ms"]
    closed_loop(ctx, spec, "fanout", f"/fanout?n={n}&ms={ms}", "fanout.lua", [ctx.p["fanout_c"]],
                bound_s=ms / 1000)


def cpu(ctx, spec):
    """p99 of a light, paced GET / load, alone and while a second load keeps /cpu saturated."""
    p = ctx.p
    path = f"/cpu?work={p['cpu_work']}"
    probe = dict(script="paced.lua", args=[p["probe_pause_ms"]])
    first = ctx.starts(spec)
    with ctx.server(spec, "cpu", keep=True) as server:
        if first:
            warm = ctx.wrk(server, path, p["cpu_c"], p["warmup"], f"cpu-{spec.name}-warmup-cpu").start()
            ctx.wrk(server, "/", p["probe_c"], p["warmup"], f"cpu-{spec.name}-warmup-hello", **probe).run()
            warm.result()
        for i in ctx.repeats():
            idle = ctx.wrk(server, "/", p["probe_c"], p["duration"], f"cpu-{spec.name}-{i}-idle", **probe).run()
            load = ctx.wrk(server, path, p["cpu_c"], p["duration"] + 2, f"cpu-{spec.name}-{i}-cpu").start()
            time.sleep(1)  # let the CPU load take hold before measuring
            busy = ctx.wrk(server, "/", p["probe_c"], p["duration"], f"cpu-{spec.name}-{i}-loaded", **probe).run()
            work = load.result()
            if not idle["requests"]:
                raise RuntimeError(f"{spec.name} answered no GET / in {p['duration']} s even without CPU load")
            if not busy["requests"]:
                # Not one GET / was answered while /cpu ran: record the run's length as a lower bound.
                busy["p50_ms"] = busy["p99_ms"] = busy["seconds"] * 1000
            ctx.record("cpu", "isolation", spec, i, {
                "idle_p50_ms": idle["p50_ms"], "idle_p99_ms": idle["p99_ms"],
                "loaded_p50_ms": busy["p50_ms"], "loaded_p99_ms": busy["p99_ms"],
                "p99_ratio": busy["p99_ms"] / max(idle["p99_ms"], 0.001),
                "loaded_requests": busy["requests"], "hello_rps": busy["rps"], "cpu_rps": work["rps"],
                "errors": idle["errors"] + busy["errors"], "cpu_errors": work["errors"]})


def overload(ctx, spec):
    """10x the limiter's permits on /io: goodput, and the latency of 200s and 503s as a probe client sees them."""
    p = ctx.p
    permits = p["overload_permits"]
    overload_point(ctx, spec, "overload", permits, p["overload_factor"] * permits)


def pool(ctx, spec):
    """Past the thread pool: /io at pool_c connections, far more than a pool of pool_threads platform threads can
    serve at once. Jetty on that pool queues the rest (Jetty's default queue has no bound), loom-service's limiter
    at the same number of permits sheds them with 503 + Retry-After, Jetty on virtual threads has no wall."""
    p = ctx.p
    overload_point(ctx, spec, "pool", p["pool_threads"], p["pool_c"])


def overload_point(ctx, spec, scenario, permits, c):
    """/io at c connections, loom-service limited to `permits` (the peers have no limiter): goodput, 503 share, and
    the latency of 200s and 503s as a probe client sees them."""
    p = ctx.p
    props = (f"app.limiter.permits={permits}", f"app.limiter.queue-length={p['overload_queue']}") if spec.ours else ()
    path = f"/io?ms={p['io_ms']}"
    with ctx.server(spec, scenario, props, keep=True) as server:
        warm = ctx.warm(server, path, c, 0, f"{scenario}-{spec.name}", script="statuses.lua")
        for i in ctx.repeats():
            cost = ctx.cost(server)
            watch = Probe("127.0.0.1", server.port, path, p["duration"]).start()
            r = ctx.wrk(server, path, c, p["duration"], f"{scenario}-{spec.name}-{i}", script="statuses.lua").run()
            seen = watch.result()
            ok, shed = r["statuses"].get("200", 0), r["statuses"].get("503", 0)
            probed = sum(s["n"] for status, s in seen.items() if status != "0")  # the server answered these too
            m = {"connections": c, "requests": r["requests"], "rps": r["rps"], "goodput_rps": ok / r["seconds"],
                 "shed_fraction": shed / r["requests"] if r["requests"] else 0.0,
                 "errors": r["socket_errors"] + r["requests"] - ok - shed,
                 **cost.per_request(r["requests"] + probed), "warmup_s": warm["warmup_s"]}
            m.update({k: r[k] for k in ("p50_ms", "p99_ms") if r[k] is not None})
            for status, name in (("200", "ok"), ("503", "shed")):
                if status in seen:
                    m[f"probe_{name}_p50_ms"] = seen[status]["p50_ms"]
                    m[f"probe_{name}_p99_ms"] = seen[status]["p99_ms"]
                    m[f"probe_{name}_n"] = seen[status]["n"]
            ctx.record(scenario, f"c{c}", spec, i, m)


def million(ctx, spec):
    """A fixed number of requests (a million in full mode) to /io?ms=10: rate, latency, errors, memory, CPU."""
    p = ctx.p
    n, c, path = p["million_requests"], p["million_c"], f"/io?ms={p['million_ms']}"
    with ctx.server(spec, "million", keep=True) as server:
        warm = ctx.warm(server, path, c, 0, f"million-{spec.name}")
        for i in ctx.repeats():
            cost = ctx.cost(server)
            sampler = Sampler(server.pid).start()
            r = ctx.wrk(server, path, c, 3600, f"million-{spec.name}-{i}", script="count.lua", stop_after=n,
                        deadline_s=max(600, n / 500)).run()
            usage = sampler.stop() | cost.per_request(r["requests"])
            ok = r["statuses"].get("200", 0)
            latency = {k: r[k] for k in ("p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms") if r[k] is not None}
            ctx.record("million", f"n{n}", spec, i, {
                "requests": r["requests"], "complete": int(r["requests"] >= n), "seconds": r["seconds"],
                "rpm": r["rps"] * 60, "rps": r["rps"], **latency,
                "errors": r["socket_errors"] + r["requests"] - ok, **usage, "warmup_s": warm["warmup_s"]})


def idle(ctx, spec):
    """As many idle keep-alive connections as the fd limit allows, from several client processes and source
    addresses; memory per connection is the server's RSS growth divided by the connections still alive."""
    p = ctx.p
    total, clients = p["idle_conns"], p["idle_clients"]
    for i in ctx.repeats():
        with ctx.server(spec, f"idle-{i}") as server:
            # short: this load only brings the server to its steady state before the first RSS reading
            ctx.wrk(server, "/", 50, p["settle"], f"idle-{spec.name}-{i}-warmup").run()
            before = ctx.settled_rss_kb(spec, server)
            procs = []
            for k in range(clients):
                count = total // clients + (1 if k < total % clients else 0)
                procs.append(subprocess.Popen(
                    pinned(ctx.client_cpus, [PYTHON, f"{BENCH}/lib/idle_client.py", "--port", str(server.port),
                                             "--count", str(count), "--source", f"127.0.0.{2 + k}"]),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            try:
                opened = sum(json.loads(proc.stdout.readline() or '{"opened": 0}')["opened"] for proc in procs)
                after = ctx.settled_rss_kb(spec, server)
                for proc in procs:
                    proc.stdin.write("check\n")
                    proc.stdin.flush()
                alive = sum(json.loads(proc.stdout.readline() or '{"alive": 0}')["alive"] for proc in procs)
            finally:
                for proc in procs:
                    proc.stdin.close()
                for proc in procs:
                    proc.wait(timeout=60)
            if not alive:
                raise RuntimeError(f"none of the {opened} idle connections to {spec.name} was still alive")
            ctx.record("idle", f"n{total}", spec, i, {
                "target": total, "opened": opened, "alive": alive, "rss_before_mb": before / 1024,
                "rss_after_mb": after / 1024, "kb_per_conn": (after - before) / alive})


def tasks(ctx, name):
    """N concurrent sleeping tasks (1 s each) in one process: wall time and peak memory."""
    n, warmup = ctx.p["tasks"], str(ctx.p["tasks_warmup"])
    command = {
        "java-threads": [ctx.java, f"{BENCH}/tasks/MillionTasks.java", str(n)],
        "java-threads-warm": [ctx.java, f"{BENCH}/tasks/MillionTasks.java", str(n), warmup],
        "go-goroutines": [GO_TASKS, str(n)],
        "asyncio-tasks": [PYTHON, f"{BENCH}/tasks/million_tasks.py", str(n)],
        "uvloop-tasks": [PYTHON, f"{BENCH}/tasks/million_tasks.py", str(n), "--uvloop"],
        "node-promises": ["node", f"{BENCH}/tasks/million_tasks.js", str(n)],
        "node-promises-warm": ["node", f"{BENCH}/tasks/million_tasks.js", str(n), warmup],
    }[name]
    for i in ctx.repeats():
        start = time.monotonic()
        with open(ctx.raw(f"tasks-{name}-{i}.out"), "w+") as out_file:
            proc = subprocess.Popen(pinned(ctx.server_cpus, command), stdout=out_file, stderr=subprocess.STDOUT,
                                    text=True)
            peak_kb = peak_rss_kb(proc)
            out_file.seek(0)
            out = out_file.read()
        if proc.returncode != 0:
            raise RuntimeError(f"{name} tasks exited with {proc.returncode}: {out.strip()[-300:]}")
        result = json.loads(out.strip().splitlines()[-1])
        ctx.record("tasks", f"n{n}", name, i, {
            "tasks": result["tasks"], "wall_s": result["wall_s"], "process_s": time.monotonic() - start,
            "peak_rss_mb": peak_kb / 1024})


# Task runtime -> (label, model), in the order tables list them. The "-warm" ones run the same program after an
# untimed warm-up of tasks_warmup short tasks: the two runtimes with a JIT (bench/README, "Scenarios").
TASK_RUNTIMES = {"java-threads": ("Java virtual threads", MODELS[0]),
                 "java-threads-warm": ("Java virtual threads, after a warm-up", MODELS[0]),
                 "go-goroutines": ("Go goroutines", MODELS[2]),
                 "node-promises": ("Node.js promises + timers", MODELS[3]),
                 "node-promises-warm": ("Node.js promises + timers, after a warm-up", MODELS[3]),
                 "asyncio-tasks": ("Python asyncio tasks", MODELS[3]),
                 "uvloop-tasks": ("Python asyncio tasks on uvloop", MODELS[3])}


def conformance(ctx, spec):
    """Same routes, same answers: every server must pass these before its numbers mean anything."""
    expected_hex = bytes(32)
    for _ in range(1000):
        expected_hex = hashlib.sha256(expected_hex).digest()
    with ctx.server(spec, "conformance") as server:
        def get(path, body=None, headers=None):
            req = urllib.request.Request(server.url + path, data=body, headers=headers or {})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.headers, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.headers, e.read().decode()

        checks = []

        def check(name, ok):
            checks.append((name, bool(ok)))

        status, _, body = get("/")
        check("GET / is Hello, World!", status == 200 and body == "Hello, World!")
        status, _, body = get("/greet/Bob")
        check("GET /greet/Bob", status == 200 and body == "Hello, Bob!")
        status, _, body = get("/io?ms=1")
        check("GET /io?ms=1", status == 200 and body == "slept 1 ms")
        status, headers, body = get("/io?ms=abc")
        check("GET /io?ms=abc is a 400 problem", status == 400
              and headers.get("Content-Type", "").startswith("application/problem+json"))
        status, _, body = get("/cpu?work=1000")
        check("GET /cpu?work=1000 is the SHA-256 chain", status == 200 and body == expected_hex.hex())
        status, _, body = get("/fanout?n=3&ms=1")
        summary = json.loads(body) if status == 200 else {}
        check("GET /fanout?n=3&ms=1", summary.get("succeeded") == 3 and summary.get("failed") == 0
              and len(summary.get("calls", [])) == 3)
        status, headers, body = get("/posts", b'{"title":"hi"}', {"Content-Type": "application/json"})
        created = json.loads(body) if status == 201 else {}
        location = headers.get("Location", "")
        check("POST /posts is 201 with id and Location", status == 201 and created.get("title") == "hi"
              and location == f"/posts/{created.get('id')}")
        status, _, body = get(location or "/posts/0")
        check("GET the Location", status == 200 and json.loads(body) == created)
        failed = [name for name, ok in checks if not ok]
        if failed:
            raise RuntimeError(f"{spec.name} fails conformance: {'; '.join(failed)}")
        ctx.record("conformance", "routes", spec, 0, {"checks": len(checks)})


# lua/post.lua's body: what the POST runs store, and what the seeded rows hold, so GET and POST move the same JSON.
DB_BODY = '{"title":"benchmark","body":"a small JSON post","tags":["bench","json"],"draft":false}'


def db(ctx, spec):
    """/posts in PostgreSQL: GET /posts/{id} of seeded rows (random ids, every one a hit) and POST /posts, at each
    of db_c connections, each server with a fresh database on the run's one PostgreSQL and a pool of db_pool
    connections. Records PostgreSQL's CPU time per request beside the server's."""
    p = ctx.p
    pg = ctx.postgres()
    database = "bench_" + spec.name.replace("-", "_")
    first = ctx.starts(spec)
    if first:
        pg.fresh_database(database, schema=not spec.ours)  # loom-service creates its schema itself
    props, args = spec.db_options(pg, database, p["db_pool"])
    with ctx.server(spec, "db", props, args, keep=True) as server:
        if first:
            await_database(server)
            seed(pg, database, p["db_rows"])
            db_conformance(spec.name, server, server, pg, database)
        points = [(c, route) for c in p["db_c"] for route in db_routes(p)]
        for k, (c, (route, path, script, lua_args)) in enumerate(points):
            variant = f"{route}-c{c}"
            warm = ctx.warm(server, path, c, k, f"db-{variant}-{spec.name}", script=script, args=lua_args)
            for i in ctx.repeats():
                cost, pg0 = ctx.cost(server), pg.cpu_seconds()
                r = ctx.wrk(server, path, c, p["duration"], f"db-{variant}-{spec.name}-{i}", script=script,
                            args=lua_args).run()
                m = throughput_metrics(r) | cost.per_request(r["requests"]) | {"warmup_s": warm["warmup_s"]}
                if r["requests"]:
                    m["pg_cpu_us_per_req"] = (pg.cpu_seconds() - pg0) * 1e6 / r["requests"]
                ctx.record("db", variant, spec, i, m)


def db_routes(p):
    """(route, path, wrk script, its arguments): reads of the seeded rows, then new posts."""
    return [("get", "/posts/1", "db_get.lua", [p["db_rows"]]), ("post", "/posts", "post.lua", [])]


def seed(pg, database, rows):
    """rows posts with ids 1..rows (a fresh table's identity), each holding DB_BODY."""
    pg.sql(database, f"INSERT INTO posts (body) SELECT '{DB_BODY}' FROM generate_series(1, {rows})")
    last = int(pg.sql(database, "SELECT max(id) FROM posts").strip())
    if last != rows:
        raise RuntimeError(f"seeding {database} gave ids up to {last}, not {rows}")


def await_database(server, timeout=60):
    """Until GET /posts/1 is answered by the database (200 or 404), not refused (loom-service answers 503 until
    its probe has reached PostgreSQL and migrated the schema)."""
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = http(server.url, "/posts/1")[0]
        if status in (200, 404):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{server.spec.name} did not reach its database within {timeout} s (last status {status})")


def http(base, path, body=None, headers=None):
    """(status, headers, body text) of one request; an HTTP error status is an answer, not an exception."""
    req = urllib.request.Request(base + path, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()
    except OSError:
        return None, {}, ""


def db_conformance(name, writer, reader, pg, database):
    """Same table, same bytes: a POST through `writer` is answered with {"id":N, then the fields as sent
    (compact JSON, key order kept), the row holds the fields as sent, GET through `reader` answers the same bytes,
    a seeded row reads back as loom-service composes it, and an unknown id is a 404 problem. Raises if not."""
    sent = '{"title":"hé","n":[1,2.5],"ok":true,"tags":{"a":null}}'
    status, headers, body = http(writer.url, "/posts", sent.encode(), {"Content-Type": "application/json"})
    checks = [("POST /posts is 201", status == 201)]
    post_id = json.loads(body).get("id") if status == 201 else None
    expected = f'{{"id":{post_id},{sent[1:]}'
    checks.append(("the 201 is {\"id\":N, then the fields as sent", body == expected))
    checks.append(("Location is /posts/N", (headers.get("Location") or "") == f"/posts/{post_id}"))
    stored = pg.sql(database, f"SELECT body FROM posts WHERE id = {int(post_id or 0)}").rstrip("\n")
    checks.append(("the row holds the fields as sent", stored == sent))
    checks.append(("GET /posts/N answers the 201's bytes", http(reader.url, f"/posts/{post_id}")[2] == expected))
    status, _, body = http(reader.url, "/posts/1")
    checks.append(("a seeded row reads back", status == 200 and body == '{"id":1,' + DB_BODY[1:]))
    status, headers, _ = http(reader.url, "/posts/999999999")
    checks.append(("an unknown id is a 404 problem", status == 404
                   and (headers.get("Content-Type") or "").startswith("application/problem+json")))
    failed = [check for check, ok in checks if not ok]
    if failed:
        raise RuntimeError(f"{name} fails the db conformance checks: {'; '.join(failed)}")


# The scaleout scenario's three setups, as the tables name them (all loom-service; the variant is the route).
SCALEOUT = {"loom": (1, False), "loom-lb1": (1, True), "loom-lb2": (2, True)}
SCALEOUT_LABELS = {"loom-lb1": "loom-service, 1 instance behind HAProxy",
                   "loom-lb2": "loom-service, 2 instances behind HAProxy"}


def scaleout(ctx, spec):
    """One loom-service instance reached directly, the same behind HAProxy (etc/haproxy.cfg), and two behind it,
    all on the server cores, sharing one PostgreSQL; HAProxy runs on the client cores beside wrk and PostgreSQL.
    On 2 cores this measures the balancer (what it adds in latency and CPU, whether it spreads requests evenly
    and loses none), not more capacity: both instances share the server core."""
    p = ctx.p
    pg = ctx.postgres()
    database = "bench_scaleout"
    pg.fresh_database(database, schema=False)
    props, _ = spec.db_options(pg, database, p["db_pool"])
    c = p["scaleout_c"]
    routes = [("hello", "/", "get.lua", [])] + db_routes(p)[:1]
    for setup, (n, balanced) in SCALEOUT.items():
        with contextlib.ExitStack() as stack:
            instances = [stack.enter_context(ctx.server(spec, f"scaleout-{setup}-{k + 1}", props))
                         for k in range(n)]
            for instance in instances:
                await_database(instance)
            if setup == "loom":
                seed(pg, database, p["db_rows"])
            target = instances[0]
            if balanced:
                lb = HaProxy(instances, ctx.free_port(), ctx.port_base + 2, ctx.client_cpus,
                             ctx.raw(ctx._tagged(f"scaleout-{setup}-haproxy.cfg")),
                             ctx.raw(ctx._tagged(f"scaleout-{setup}-haproxy.log")))
                stack.callback(lb.stop)
                target = lb
                for instance in instances:  # written through the balancer, read from each instance
                    db_conformance(setup, lb, instance, pg, database)
            for k, (route, path, script, lua_args) in enumerate(routes):
                variant = f"{route}-c{c}"
                warm = ctx.warm(target, path, c, k, f"scaleout-{variant}-{setup}", jvms=instances, script=script,
                                args=lua_args)
                for i in ctx.repeats():
                    costs = [RunCost(s) for s in instances]
                    pg0 = pg.cpu_seconds()
                    lb0 = (cpu_seconds(target.pid), target.counters()) if balanced else None
                    r = ctx.wrk(target, path, c, p["duration"], f"scaleout-{variant}-{setup}-{i}", script=script,
                                args=lua_args).run()
                    m = (throughput_metrics(r) | summed([cost.per_request(r["requests"]) for cost in costs])
                         | {"warmup_s": warm["warmup_s"]})
                    if r["requests"]:
                        m["pg_cpu_us_per_req"] = (pg.cpu_seconds() - pg0) * 1e6 / r["requests"]
                    if balanced and r["requests"]:
                        m |= balancer_metrics(target, lb0, r["requests"])
                    ctx.record("scaleout", variant, setup, i, m)
            if not all(s.alive() for s in instances) or (balanced and not target.alive()):
                raise RuntimeError(f"a process of {setup} died during the scaleout runs")


def _summed_cpu(servers):
    """(CPU seconds, JIT compiler CPU seconds) of the servers together, each None unless all are running JVMs."""
    cpu, jit = [cpu_seconds(s.pid) for s in servers], [jit_cpu_seconds(s.pid) for s in servers]
    return (None, None) if None in cpu or None in jit else (sum(cpu), sum(jit))


def summed(costs):
    """Per-request costs of several instances serving one run's requests: their sum, and of a share (of the wall or
    CPU time) the largest; absent if any lacks it."""
    return {k: (max if k.endswith("_share") else sum)(c[k] for c in costs) for k in costs[0]
            if all(k in c for c in costs)}


def balancer_metrics(lb, before, requests):
    """HAProxy's CPU per request, the share of 2xx answers the least-used instance gave (0.5 is an even split of
    two), the retries and redispatches it made, and how often its readiness checks took an instance out."""
    cpu0, counts0 = before
    counts = lb.counters()
    served = {name: counts[name] - counts0[name] for name in lb.names}
    total = sum(served.values())
    return {"lb_cpu_us_per_req": (cpu_seconds(lb.pid) - cpu0) * 1e6 / requests,
            "min_instance_share": min(served.values()) / total if total else 0.0,
            "lb_retries": counts["retries"] - counts0["retries"],
            "lb_redispatches": counts["redispatches"] - counts0["redispatches"],
            "lb_downs": counts["downs"] - counts0["downs"]}


# Scenario name -> (function, which servers: "all", "no-nooffload" (offload only matters for /cpu), "tasks", "db"
# (those with a PostgreSQL mode), or a tuple of server names).
SCENARIOS = {
    "conformance": (conformance, "all"),
    "hello": (hello, "no-nooffload"),
    "post": (post, "no-nooffload"),
    "io": (io, "no-nooffload"),
    "fanout": (fanout, "no-nooffload"),
    "cpu": (cpu, "all"),
    "overload": (overload, "no-nooffload"),
    "pool": (pool, ("loom", "jetty-platform", "jetty-virtual")),
    "million": (million, "no-nooffload"),
    "idle": (idle, "no-nooffload"),
    "tasks": (tasks, "tasks"),
    "db": (db, "db"),
    "scaleout": (scaleout, ("loom",)),
}
# What a run without --only / --servers leaves out, so that it fits in 90 minutes (bench/README.md, "Run it"):
# `post` (loom-service stores posts in its database, the peers in memory: `db` is the like-for-like POST),
# Jetty's 200-thread pool in `overload` and `million`, whose limit there is the pool's (`pool` shows that wall),
# and aiohttp + uvloop in `million`, whose runs take minutes each (bench/README.md, "How long a full run takes").
NAMED_ONLY = {"post"}
SKIPPED_BY_DEFAULT = {"overload": {"jetty-platform"}, "million": {"jetty-platform", "uvloop"}}
