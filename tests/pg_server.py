"""A real PostgreSQL server in a temp dir, on 127.0.0.1, for tests and benchmarks.

Uses the distro's binaries (`/usr/lib/postgresql/*/bin`, `apt-get install postgresql`).
initdb refuses to run as root, so as root the server runs as the `nobody` user
(its data dir in a fresh /tmp folder owned by it). Stopped with `pg_ctl stop`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from page_server import free_port


def pg_bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


MISSING_REASON = ("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                  "apt-get install postgresql (or run .ci/run, which installs them)")


class PostgresServer:
    """`with PostgresServer() as pg: pg.url("dbname")` — a throwaway cluster."""

    def __init__(self, port: int | None = None) -> None:
        self.bin = pg_bin_dir()
        if self.bin is None:
            raise RuntimeError(MISSING_REASON)
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="mentor-pg-"))
        self.data = self.root / "data"
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("nobody")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self.started = False

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        return subprocess.run([str(self.bin / args[0]), *args[1:]], check=check, capture_output=True, text=True,
                              timeout=timeout, cwd=self.root, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
                              **kwargs)

    def start(self) -> "PostgresServer":
        self._run("initdb", "-D", str(self.data), "-U", "mentor", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "-t",
                  "60", "start")
        self.started = True
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://mentor@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "mentor", name)
        return self.url(name)

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until(predicate, timeout: float = 10, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
