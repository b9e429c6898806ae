"""HAProxy in front of loom-service instances for the scaleout scenario: the project's own etc/haproxy.cfg,
unchanged, with one `server` line per instance appended, as etc/cluster (./loom cluster N) assembles it."""
import os
import signal
import subprocess
import time
import urllib.request

from procs import pinned
from servers import ROOT

BINARY = "/usr/sbin/haproxy"
CONFIG = os.path.join(ROOT, "etc", "haproxy.cfg")


class HaProxy:
    """One HAProxy process, pinned to `cpus`, listening on `port` (LOOM_LB_PORT) with its stats page on
    `stats_port` (LOOM_LB_STATS_PORT); ready once every instance is UP on its readiness check.

    etc/haproxy.cfg logs every request to stderr: that stays on (it is part of what the config costs), but goes to
    /dev/null, as a log of every request of a saturating run would fill the disk. `haproxy -c` checks the
    assembled config first, into `log_path`, so a bad config still says why."""

    def __init__(self, instances, port, stats_port, cpus, config_path, log_path):
        if not os.access(BINARY, os.X_OK):
            raise RuntimeError(f"{BINARY} not found (Debian: apt-get install haproxy)")
        self.port = port
        self.stats_port = stats_port
        self.url = f"http://127.0.0.1:{port}"
        self.names = [f"i{k + 1}" for k in range(len(instances))]
        with open(CONFIG) as f:
            config = f.read()
        config += "".join(f"    server {name} 127.0.0.1:{server.port}\n" for name, server in zip(self.names, instances))
        with open(config_path, "w") as f:
            f.write(config)
        env = dict(os.environ, LOOM_LB_PORT=str(port), LOOM_LB_STATS_PORT=str(stats_port))
        with open(log_path, "w") as log:
            check = subprocess.run([BINARY, "-c", "-f", config_path], env=env, stdout=log, stderr=subprocess.STDOUT)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy -c refused {config_path}; see {log_path}")
        self.process = subprocess.Popen(pinned(cpus, [BINARY, "-db", "-f", config_path]), env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.process.pid
        self._await_up(timeout=30)

    def _await_up(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited with code {self.process.returncode}")
            try:
                if all(row["status"] == "UP" for row in self.servers().values()):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"HAProxy did not see every instance UP within {timeout} s")

    def stats(self):
        """The stats page's CSV: one dict per proxy and server, keyed by the header's column names."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.stats_port}/;csv", timeout=5) as response:
            lines = response.read().decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        return [dict(zip(header, line.split(","))) for line in lines[1:] if line]

    def servers(self):
        """The backend's servers, by name (i1, i2, ...)."""
        return {row["svname"]: row for row in self.stats() if row["pxname"] == "loom" and row["svname"] in self.names}

    def counters(self):
        """What a run is judged by: 2xx answers per instance, the backend's retries and redispatches, and how
        often an instance was taken out (UP to DOWN, all instances together)."""
        rows = self.stats()
        backend = next(r for r in rows if r["pxname"] == "loom" and r["svname"] == "BACKEND")
        servers = self.servers()
        out = {name: int(r["hrsp_2xx"] or 0) for name, r in servers.items()}
        out["retries"] = int(backend["wretr"] or 0)
        out["redispatches"] = int(backend["wredis"] or 0)
        out["downs"] = sum(int(r["chkdown"] or 0) for r in servers.values())
        return out

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
