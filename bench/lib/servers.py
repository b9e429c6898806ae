"""The servers compared: loom-service (twice) and its event-loop peers, each started the way its users run it."""
import os
from dataclasses import dataclass, field

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
PYTHON = "/usr/bin/python3"  # Debian's: python3-aiohttp and python3-uvloop live there, not in a pyenv/venv python


@dataclass(frozen=True)
class ServerSpec:
    name: str      # short id used in files and CSV
    label: str     # what the tables and charts call it
    ours: bool     # loom-service itself, as opposed to a peer
    argv: tuple    # command; "{port}" is replaced, "{props}" expands to the scenario's -D properties (ours only)
    cwd: str = ROOT
    props: tuple = field(default=())  # -D properties that define this configuration

    def command(self, port, extra_props):
        out = []
        for arg in self.argv:
            if arg == "{props}":
                out += [f"-D{p}" for p in (*self.props, *extra_props)]
            else:
                out.append(arg.replace("{port}", str(port)))
        return out


def specs(java):
    """Every server, in the order tables list them. `java` is the java binary of a JDK >= 21."""
    loom = (java, "{props}", "-Dserver.port={port}", "-Dserver.host=127.0.0.1", "-jar", "target/loom-service.jar")
    return [
        # cwd = repository root, so the service reads etc/application.yaml: the configuration a user runs.
        ServerSpec("loom", "loom-service (virtual threads)", True, loom),
        ServerSpec("loom-nooffload", "loom-service, cpu.offload=false", True, loom, props=("app.cpu.offload=false",)),
        ServerSpec("vertx", "Vert.x 5 (event loop)", False,
                   (java, "-jar", "bench/peers/vertx/target/vertx-peer.jar", "--port", "{port}")),
        ServerSpec("node", "Node.js http", False, ("node", "bench/peers/node/server.js", "--port", "{port}")),
        ServerSpec("aiohttp", "aiohttp (asyncio)", False, (PYTHON, "bench/peers/aiohttp/app.py", "--port", "{port}")),
        ServerSpec("uvloop", "aiohttp + uvloop", False,
                   (PYTHON, "bench/peers/aiohttp/app.py", "--port", "{port}", "--uvloop")),
    ]
