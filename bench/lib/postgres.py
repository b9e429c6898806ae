"""The one PostgreSQL of the db and scaleout scenarios: Debian's PostgreSQL 15 in a temporary directory, started
once per bench run on first use, pinned to the load generator's cores, and a fresh database per server start.

Why on the client cores: the server core must hold the server alone, so that its CPU time per request is its own;
PostgreSQL's CPU time is measured on its own (cpu_seconds, all its processes), like wrk's, and shares the other
core with wrk. See bench/README.md, "The database scenarios".
"""
import glob
import os
import shutil
import subprocess
import tempfile

from procs import CLOCK_TICKS, pinned
from servers import ROOT

USER = "bench"
SCHEMA_DIR = os.path.join(ROOT, "src", "main", "resources", "db")  # loom-service's own scripts, applied in order


def binaries():
    """The newest installed major version's bin directory (Debian: /usr/lib/postgresql/15/bin), or None."""
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.access(os.path.join(d, "pg_ctl"), os.X_OK)]
    return max(found, key=lambda d: int(d.split("/")[-2]), default=None)


class Postgres:
    """One PostgreSQL server, stopped and deleted by stop(). Superuser `bench`, trust authentication, loopback TCP
    only. PostgreSQL's own defaults otherwise (fsync and synchronous_commit on, max_connections 100, 128 MB of
    shared buffers): what a user gets from Debian's package, so a POST waits for its commit to reach the disk."""

    def __init__(self, port, cpus, log_path):
        self.bin = binaries()
        if not self.bin:
            raise RuntimeError("PostgreSQL not found (Debian: apt-get install postgresql)")
        self.port = port
        self.user = USER
        self.root = os.geteuid() == 0  # PostgreSQL refuses to run as root: then it runs as the postgres user
        self.dir = tempfile.mkdtemp(prefix="bench-pg-")
        if self.root:
            shutil.chown(self.dir, "postgres")
        self.data = os.path.join(self.dir, "data")
        self.log_path = log_path  # the server log is copied there at stop(): the postgres user may not write there
        self._run("initdb", "-D", self.data, "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        # pg_ctl forks the postmaster, which forks a backend per connection: every one inherits the pinning.
        self._run("pg_ctl", "start", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-o",
                  f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", cpus=cpus)
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def _run(self, tool, *args, cpus=""):
        command = (["runuser", "-u", "postgres", "--"] if self.root else []) + [os.path.join(self.bin, tool), *args]
        done = subprocess.run(pinned(cpus, command), capture_output=True, text=True, timeout=120, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {(done.stdout + done.stderr).strip()[-500:]}")
        return done.stdout

    def sql(self, database, statements):
        """Runs SQL text with psql (stops at the first error) and returns what it printed (unaligned, no headers)."""
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database, "-X", "-q",
                         "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statements)

    def fresh_database(self, name, schema=True):
        """Drops and creates `name`; with `schema`, applies loom-service's own scripts (db/*.sql, in order), so
        every peer gets the table loom-service creates for itself. loom-service gets schema=False: it migrates
        at startup, as a user's first run does."""
        self.sql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.sql("postgres", f"CREATE DATABASE {name}")
        if schema:
            for script in sorted(glob.glob(os.path.join(SCHEMA_DIR, "*.sql")),
                                 key=lambda p: int(os.path.basename(p).split("-")[0])):
                with open(script) as f:
                    self.sql(name, f.read())

    def uri(self, database):
        """libpq's URI form, which asyncpg, node-postgres and Vert.x's client all take."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def jdbc(self, database):
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{database}"

    def cpu_seconds(self):
        """User + system CPU time of the whole server so far: the postmaster, its live children (a backend per
        connection, the checkpointer, the WAL writer, ...) and its children that have ended (the kernel adds
        those to the postmaster's cutime/cstime once reaped), so a backend that ends between two readings is
        still counted."""
        total = 0
        for pid in [self.pid] + children(self.pid):
            fields = stat_fields(pid)
            if fields:
                total += int(fields[11]) + int(fields[12])
                if pid == self.pid:
                    total += int(fields[13]) + int(fields[14])
        return total / CLOCK_TICKS

    def stop(self):
        try:
            self._run("pg_ctl", "stop", "-D", self.data, "-m", "immediate", "-w", "-t", "60")
        finally:
            if os.path.exists(os.path.join(self.dir, "server.log")):
                shutil.copyfile(os.path.join(self.dir, "server.log"), self.log_path)
            shutil.rmtree(self.dir, ignore_errors=True)


def stat_fields(pid):
    """/proc/PID/stat after the command name (field 3 onwards), or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(pid):
    """Direct children of pid, from /proc/PID/task/*/children."""
    found = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(path) as f:
                found += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return found
