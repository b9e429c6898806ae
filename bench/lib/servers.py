"""The servers compared: loom-service (twice), bare Helidon, Jetty on platform and on virtual threads, Go, and the
event-loop peers, each started the way its users run it; and the concurrency model each one stands for."""
import os
import re
from dataclasses import dataclass, field

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
PYTHON = "/usr/bin/python3"  # Debian's: python3-aiohttp and python3-uvloop live there, not in a pyenv/venv python
GO_PEER = "bench/peers/go/target/go-peer"  # built by bench/run (go build), never committed
GO_TASKS = os.path.join(BENCH, "tasks", "target", "million-tasks-go")  # likewise

# What the tables and charts group servers (and task runtimes) by, in this order.
MODELS = ("virtual threads", "platform threads", "goroutines", "event loop")


@dataclass(frozen=True)
class ServerSpec:
    name: str      # short id used in files and CSV
    label: str     # what the tables and charts call it
    ours: bool     # loom-service itself, as opposed to a peer
    model: str     # one of MODELS: what runs a request while it waits
    argv: tuple    # command; "{port}" is replaced, "{props}" expands to the scenario's -D properties (ours only),
                   # "{jvm}" to the options the harness gives every JVM (its GC log)
    cwd: str = ROOT
    props: tuple = field(default=())  # -D properties that define this configuration
    db: bool = False  # keeps /posts in PostgreSQL when given one (the db and scaleout scenarios)
    default: bool = True  # runs when --servers does not name the servers

    @property
    def jvm(self):
        """Whether this server runs on the JVM: those get a GC log, from which the bench reads what they allocate."""
        return "{jvm}" in self.argv

    def db_options(self, pg, database, pool):
        """(-D properties, extra arguments) that point this server at `database` on `pg` with `pool` connections:
        loom-service through its own configuration keys (app.db), each peer through --db URI --db-pool N."""
        if not self.db:
            raise ValueError(f"{self.name} has no PostgreSQL mode")
        if self.ours:
            return (f"app.db.url={pg.jdbc(database)}", f"app.db.user={pg.user}", f"app.db.pool-size={pool}"), ()
        return (), ("--db", pg.uri(database), "--db-pool", str(pool))

    def command(self, port, extra_props, jvm_options=(), extra_args=()):
        out = []
        for arg in self.argv:
            if arg == "{props}":
                out += [f"-D{p}" for p in (*self.props, *extra_props)]
            elif arg == "{jvm}":
                out += list(jvm_options)
            else:
                out.append(arg.replace("{port}", str(port)))
        return out + list(extra_args)


def helidon_version():
    """The Helidon of loom-service (<helidon.version> in the root pom.xml); bench/run builds the bare peer with it."""
    with open(os.path.join(ROOT, "pom.xml")) as f:
        found = re.search(r"<helidon.version>([^<]+)</helidon.version>", f.read())
    return found.group(1) if found else "unknown"


def jetty_version():
    """The Jetty of the Jetty peers (<jetty.version> in bench/peers/jetty/pom.xml)."""
    with open(os.path.join(BENCH, "peers", "jetty", "pom.xml")) as f:
        found = re.search(r"<jetty.version>([^<]+)</jetty.version>", f.read())
    return found.group(1) if found else "unknown"


def specs(java):
    """Every server, in the order tables list them. `java` is the java binary of a JDK >= 21."""
    loom = (java, "{jvm}", "{props}", "-Dserver.port={port}", "-Dserver.host=127.0.0.1", "-jar",
            "target/loom-service.jar")
    helidon = ".".join(helidon_version().split(".")[:2])
    jetty = ".".join(jetty_version().split(".")[:2])
    jetty_jar = (java, "{jvm}", "-jar", "bench/peers/jetty/target/jetty-peer.jar", "--port", "{port}", "--threads")
    vt, pt, go, loop = MODELS
    return [
        # cwd = repository root, so the service reads etc/application.yaml: the configuration a user runs.
        ServerSpec("loom", "loom-service (virtual threads)", True, vt, loom, db=True),
        ServerSpec("loom-nooffload", "loom-service, cpu.offload=false", True, vt, loom,
                   props=("app.cpu.offload=false",)),
        # The same Helidon and JVM without loom-service's code: what separates the two is loom-service's own cost.
        ServerSpec("helidon-bare", f"Helidon {helidon} bare (virtual threads)", False, vt,
                   (java, "{jvm}", "-jar", "bench/peers/helidon-bare/target/helidon-bare.jar", "--port", "{port}"),
                   db=True),
        # One app, two thread models: what virtual threads change, with the framework held fixed (and a second
        # Loom server beside Helidon).
        ServerSpec("jetty-virtual", f"Jetty {jetty} (virtual threads)", False, vt, jetty_jar + ("virtual",), db=True),
        ServerSpec("jetty-platform", f"Jetty {jetty} (200 platform threads)", False, pt, jetty_jar + ("platform",),
                   db=True),
        ServerSpec("go", "Go net/http (goroutines)", False, go, (GO_PEER, "--port", "{port}")),
        ServerSpec("vertx", "Vert.x 5 (event loop)", False, loop,
                   (java, "{jvm}", "-jar", "bench/peers/vertx/target/vertx-peer.jar", "--port", "{port}"), db=True),
        ServerSpec("node", "Node.js http", False, loop, ("node", "bench/peers/node/server.js", "--port", "{port}"),
                   db=True),
        # Named only: the same app as uvloop's on the slower default loop, and a tenth of a full run's time.
        ServerSpec("aiohttp", "aiohttp (asyncio)", False, loop,
                   (PYTHON, "bench/peers/aiohttp/app.py", "--port", "{port}"), db=True, default=False),
        ServerSpec("uvloop", "aiohttp + uvloop", False, loop,
                   (PYTHON, "bench/peers/aiohttp/app.py", "--port", "{port}", "--uvloop"), db=True),
    ]
