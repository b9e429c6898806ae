"""Load generators: wrk (with the Lua scripts in bench/lua) and a small latency probe for per-status latencies."""
import http.client
import json
import signal
import subprocess
import threading
import time

from procs import pinned
from servers import BENCH

LUA = f"{BENCH}/lua"
MARK = "BENCH_JSON "


class Wrk:
    """One wrk run. start() returns at once; result() waits and returns report.lua's JSON as a dict.

    With `stop_after` (count.lua), wrk runs until every thread has seen its share of responses: each thread says so
    on stderr and this class then interrupts wrk (SIGINT makes wrk print its report at once), or at `deadline_s`.
    """

    def __init__(self, url, connections, duration_s, script="get.lua", args=(), threads=1, cpus="",
                 timeout_s=10, raw_path=None, stop_after=None, deadline_s=None):
        threads = max(1, min(threads, connections))
        self.threads = threads
        lua_args = [str(a) for a in args]
        if stop_after is not None:
            lua_args = [str(stop_after), str(threads)]
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(duration_s)}s",
                   "--timeout", f"{int(timeout_s)}s", "-s", script, url] + (["--", *lua_args] if lua_args else [])
        self.command = pinned(cpus, command)
        self.raw_path = raw_path
        self.stop_after = stop_after
        self.deadline_s = deadline_s
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.command, cwd=LUA, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self._stderr = []
        self._watcher = threading.Thread(target=self._watch_stderr, daemon=True)
        self._watcher.start()
        return self

    def _watch_stderr(self):
        done = 0
        for line in self.process.stderr:
            self._stderr.append(line)
            if self.stop_after is not None and line.startswith("BENCH_THREAD_DONE"):
                done += 1
                if done == self.threads:
                    self.process.send_signal(signal.SIGINT)

    def result(self):
        timer = None
        if self.deadline_s:
            timer = threading.Timer(self.deadline_s, lambda: self.process.poll() is None
                                    and self.process.send_signal(signal.SIGINT))
            timer.start()
        stdout = self.process.stdout.read()
        self.process.wait()
        self._watcher.join()
        if timer:
            timer.cancel()
        stderr = "".join(self._stderr)
        if self.raw_path:
            with open(self.raw_path, "w") as f:
                f.write("$ " + " ".join(self.command) + "\n" + stdout + stderr)
        for line in stdout.splitlines():
            if line.startswith(MARK):
                return parse(line[len(MARK):])
        raise RuntimeError(f"wrk printed no {MARK.strip()} line (exit {self.process.returncode}): "
                           f"{(stdout + stderr).strip()[-500:]}")

    def run(self):
        return self.start().result()


def parse(text):
    """report.lua's JSON, checked, with derived numbers: rps, errors (socket + non-2xx/3xx), latencies in ms."""
    data = json.loads(text)
    for key in ("requests", "duration_us", "errors", "latency_us", "statuses"):
        if key not in data:
            raise ValueError(f"wrk report lacks '{key}': {text[:200]}")
    errors = data["errors"]
    socket_errors = sum(int(errors[k]) for k in ("connect", "read", "write", "timeout"))
    seconds = data["duration_us"] / 1e6
    answered = data["requests"] > 0
    # No answer, no latency: None rather than wrk's zeros (tables show "-", medians skip it).
    pct = {k: v / 1000 if answered else None for k, v in data["latency_us"]["percentiles"].items()}
    return {
        "requests": data["requests"],
        "seconds": seconds,
        "rps": data["requests"] / seconds if seconds else 0.0,
        "socket_errors": socket_errors,
        "non_2xx": int(errors["status"]),
        "errors": socket_errors + int(errors["status"]),
        "timeouts": int(errors["timeout"]),
        "p50_ms": pct["p50"], "p75_ms": pct["p75"], "p90_ms": pct["p90"], "p99_ms": pct["p99"],
        "p999_ms": pct["p99.9"],
        "max_ms": data["latency_us"]["max"] / 1000 if answered else None,
        "mean_ms": data["latency_us"]["mean"] / 1000 if answered else None,
        "statuses": {str(k): int(v) for k, v in data["statuses"].items()},
    }


class Probe:
    """A few client threads that time each request and keep its status, for latency per status code (wrk has
    one histogram for all responses). Each thread sends one request at a time on a keep-alive connection and
    reconnects when the server closes it. It samples: it sees what any client would see, not every request."""

    def __init__(self, host, port, path, duration_s, workers=4, timeout_s=15):
        self.host, self.port, self.path = host, port, path
        self.duration_s, self.workers, self.timeout_s = duration_s, workers, timeout_s
        self.samples = []  # (status, millis); status 0 = no answer (connection error or timeout)

    def start(self):
        self.deadline = time.monotonic() + self.duration_s
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(self.workers)]
        for t in self.threads:
            t.start()
        return self

    def _run(self):
        conn = None
        while time.monotonic() < self.deadline:
            start = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
                conn.request("GET", self.path)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                status = 0
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
            self.samples.append((status, (time.perf_counter() - start) * 1000))
        if conn is not None:
            conn.close()

    def result(self):
        for t in self.threads:
            t.join()
        by_status = {}
        for status, ms in self.samples:
            by_status.setdefault(str(status), []).append(ms)
        return {status: {"n": len(v), "p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99)}
                for status, v in by_status.items()}


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
