"""Start `membermock serve` as a real process on a free port, the way integrators run it."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

EXE = shutil.which("membermock") or str(Path(sys.executable).with_name("membermock"))
API_KEY = "test-mp-key"
ADMIN_PASSWORD = "TestAdminAppPassword0000"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, workers: int = 1, extra=(), command=None):
        """``command(port, db)`` replaces `membermock serve` (e.g. a deliberately broken mock)."""
        self.db = db
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.args = command(self.port, db) if command else [
            EXE, "serve", "--port", str(self.port), "--db", str(db), "--workers", str(workers),
            "--mp-api-key", API_KEY, "--admin-app-password", ADMIN_PASSWORD, *extra]
        self.proc = None
        self.http = requests.Session()

    def start(self, timeout: float = 60) -> "Server":
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.base}/__mock__/health", timeout=5).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass   # not listening yet, or a worker still starting on a loaded machine
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer in time")
            time.sleep(0.1)

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def mp(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"MEMBERPRESS-API-KEY": API_KEY, **kw.pop("headers", {})}
        return self.http.request(method, f"{self.base}/wp-json/mp/v1{path}", headers=headers, timeout=30, **kw)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@contextmanager
def running(db: Path, **kw):
    server = Server(db, **kw).start()
    try:
        yield server
    finally:
        server.stop()
