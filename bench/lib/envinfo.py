"""What the numbers were measured on: machine, load, versions, commit. Recorded in every results.json."""
import json
import os
import platform
import re
import resource
import socket
import subprocess

import postgres
from servers import BENCH, PYTHON, ROOT, helidon_version, jetty_version


def run(command, cwd=ROOT):
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e})"


def json_field(path, key):
    try:
        with open(path) as f:
            return json.load(f).get(key)
    except (OSError, ValueError):
        return None


def first_line(text):
    return text.splitlines()[0] if text else ""


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def memory_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def collect(java, server_cpus, client_cpus):
    pom = read(f"{BENCH}/peers/vertx/pom.xml") or ""
    vertx = re.search(r"<vertx.version>([^<]+)<", pom)
    commit = run(["git", "rev-parse", "HEAD"])
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"])
    pinned_gc = run(["taskset", "-c", server_cpus, java, "-Xlog:gc:stdout", "-version"]) if server_cpus else ""
    gc = re.search(r"Using (\w+)", pinned_gc)
    pg_bin = postgres.binaries()
    return {
        "host": socket.gethostname(),
        "kernel": platform.release(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "server_cpus": server_cpus,
        "client_cpus": client_cpus,
        "loadavg_start": loadavg(),
        "nofile_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
        "somaxconn": read("/proc/sys/net/core/somaxconn"),
        "ephemeral_ports": read("/proc/sys/net/ipv4/ip_local_port_range"),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "jdk": " | ".join(dict.fromkeys(run([java, "-version"]).splitlines()[::2])) or "unknown",
        "jvm_gc_on_server_cores": gc.group(1) if gc else "unknown",
        "loom_service": first_line(run([java, "-jar", "target/loom-service.jar", "--version"])),
        "helidon": helidon_version(),  # of loom-service and of the bare peer alike
        "vertx": vertx.group(1) if vertx else "unknown",
        "jetty": jetty_version(),
        "go": run(["go", "version"]).removeprefix("go version "),  # the toolchain bench/run built go-peer with
        "python": first_line(run([PYTHON, "--version"])),
        "aiohttp": run([PYTHON, "-c", "import aiohttp; print(aiohttp.__version__)"]),
        "uvloop": run([PYTHON, "-c", "import uvloop; print(uvloop.__version__)"]),
        "node": run(["node", "--version"]),
        # the db and scaleout scenarios
        "asyncpg": run([PYTHON, "-c", "import asyncpg; print(asyncpg.__version__)"]),
        "node_pg": (json_field(f"{BENCH}/peers/node/node_modules/pg/package.json", "version")
                    or "not installed (bench/run installs it for the db scenario)"),
        "postgresql": first_line(run([os.path.join(pg_bin, "postgres"), "--version"])) if pg_bin else "not installed",
        "haproxy": first_line(run(["/usr/sbin/haproxy", "-v"])).split(" - ")[0].removeprefix("HAProxy version "),
        "wrk": first_line(run(["wrk", "-v"])).split(" Copyright")[0].strip(),
    }
