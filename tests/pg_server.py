"""A real PostgreSQL server for the county tests and benchmarks, started and stopped here.

initdb into a fresh temporary folder, listen on 127.0.0.1 and a free port, password
(SCRAM) authentication over TCP. PostgreSQL refuses to run as root, so as root (CI)
the folder is given to the `postgres` user and every server command runs through
`runuser -u postgres`. `find_bin()` returns None only where no server is installed;
the suite skips then, except in CI (CI=true), where a missing server is a failure.
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

SUPERUSER = "county_admin"
SUPERUSER_PASSWORD = "suite-only-superuser-password"  # a throwaway test cluster
RUN_AS = "postgres"


def find_bin() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding a server (Debian's layout), or PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self, bindir: Path, base: Path | None = None) -> None:
        self.bindir = bindir
        self.base = Path(base or tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.logfile = self.base / "server.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0 if hasattr(os, "geteuid") else False

    def _cmd(self, *args: str) -> list[str]:
        if self.as_root:
            return ["runuser", "-u", RUN_AS, "--", *args]
        return list(args)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._cmd(*args), capture_output=True, text=True, check=check,
                              timeout=120, cwd=self.base)

    def init(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        pwfile = self.base / "pw"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        os.chmod(self.base, 0o755)  # noqa: S103 - the server user must enter it
        if self.as_root:
            shutil.chown(self.base, RUN_AS, RUN_AS)
            shutil.chown(self.socket_dir, RUN_AS, RUN_AS)
            shutil.chown(pwfile, RUN_AS, RUN_AS)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                  f"--pwfile={pwfile}", "--auth-host=scram-sha-256", "--auth-local=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        pwfile.unlink()

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=100 -c shared_buffers=64MB "
                # As DEPLOYMENT advises: each connection is logged with its application_name.
                "-c log_connections=on")
        result = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts,
                           "-l", str(self.logfile), "-w", "-t", "60", "start", check=False)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log[-2000:]}")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                  "stop", check=False)

    def is_running(self) -> bool:
        result = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "status",
                           check=False)
        return result.returncode == 0

    def url(self, dbname: str = "postgres", user: str = SUPERUSER,
            password: str = SUPERUSER_PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def cleanup(self) -> None:
        with contextlib.suppress(OSError):
            shutil.rmtree(self.base)


def start_server(bindir: Path) -> PgServer:
    server = PgServer(bindir)
    server.init()
    server.start()
    deadline = time.monotonic() + 30
    while not server.is_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    return server
