"""A real PostgreSQL for the tests: Debian's server, started in a temporary directory on a free
loopback port, torn down at the end. ``start`` says why when it cannot (``Unavailable``)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

BIN_DIRS = ("/usr/local/bin", *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin")), reverse=True))
# Test settings: durability is not what is under test, speed is what CI needs.
SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "400",
            "shared_buffers": "32MB", "listen_addresses": "127.0.0.1", "log_min_messages": "fatal"}


class Unavailable(RuntimeError):
    pass


def binary(name: str) -> str | None:
    for folder in BIN_DIRS:
        path = Path(folder) / name
        if path.exists():
            return str(path)
    return shutil.which(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """One server: ``url`` is its superuser's URL to database ``postgres``."""

    def __init__(self, folder: str, port: int, user: str | None):
        self.folder, self.port, self.user = folder, port, user
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def database(self) -> str:
        """A new, empty database's URL (each test gets its own)."""
        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        _as(self.user, [binary("pg_ctl"), "-D", f"{self.folder}/data", "-m", "immediate", "-w", "stop"],
            check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _as(user: str | None, argv: list[str], **kw):
    """initdb and postgres refuse to run as root: as root, run them as an unprivileged user."""
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


def start() -> Postgres:
    initdb, pg_ctl = binary("initdb"), binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise Unavailable("PostgreSQL is not installed (apt-get install postgresql)")
    user = None
    if os.geteuid() == 0:
        user = next((u for u in ("postgres", "nobody") if _exists(u)), None)
        if user is None:
            raise Unavailable("running as root with no unprivileged user to run PostgreSQL as")
    folder = tempfile.mkdtemp(prefix="membermock-pg-")
    os.chmod(folder, 0o755)
    if user:
        shutil.chown(folder, user)
    done = _as(user, [initdb, "-D", f"{folder}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C", "--no-sync"])
    if done.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise Unavailable(f"initdb failed: {done.stderr.strip()[-400:]}")
    port = free_port()
    options = " ".join(f"-c {k}={v}" for k, v in {**SETTINGS, "port": port, "unix_socket_directories": folder}.items())
    done = _as(user, [pg_ctl, "-D", f"{folder}/data", "-l", f"{folder}/log", "-o", options, "-w", "-t", "60", "start"])
    server = Postgres(folder, port, user)
    if done.returncode:
        log = Path(folder, "log").read_text(errors="replace")[-400:] if Path(folder, "log").exists() else ""
        server.stop()
        raise Unavailable(f"PostgreSQL did not start: {done.stderr.strip()[-300:]} {log}")
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(server.url).close()
            return server
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)


def _exists(user: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False
