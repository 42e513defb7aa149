"""Throw-away PostgreSQL clusters for tests: a primary and a streaming replica of it, each on a
free port of 127.0.0.1, in a temporary directory, removed afterwards.

PostgreSQL refuses to run as root, so when the tests run as root (CI here) the server programs run
as the `postgres` system user, which owns the directories.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir() -> Path | None:
    """The directory of initdb/pg_ctl/pg_basebackup: PATH first, then Debian's versioned dirs."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_basebackup"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Cluster:
    """One running server: `url` for psycopg, `port`, `datadir`."""

    def __init__(self, bindir: Path, datadir: Path, port: int):
        self.bindir, self.datadir, self.port = bindir, datadir, port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(_as_postgres([str(self.bindir / program), *args]), check=check,
                              capture_output=True, text=True, timeout=120)

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
        self.run("pg_ctl", "-D", str(self.datadir), "-l", str(self.datadir / "server.log"), "-o", options,
                 "-w", "-t", "60", "start")

    def stop(self):
        self.run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop", check=False)


@contextlib.contextmanager
def primary_and_replica():
    """Yield (primary, replica): a fresh cluster and a hot standby streaming from it."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) not found")
    root = Path(tempfile.mkdtemp(prefix="kefu-pgpair-", dir="/tmp"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(bindir, root / "primary", free_port())
    replica = Cluster(bindir, root / "replica", free_port())
    started = []
    try:
        primary.run("initdb", "-D", str(primary.datadir), "-U", "postgres", "--auth=trust", "-N",
                    "--encoding=UTF8", "--locale=C")
        primary.start()
        started.append(primary)
        primary.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    "-D", str(replica.datadir), "-R", "-X", "stream", "-c", "fast")
        replica.start()
        started.append(replica)
        yield primary, replica
    finally:
        for cluster in reversed(started):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def wait_until(predicate, timeout: float = 30.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
