"""`membermock webhooks listen` as a real process, with what it received read back from its record."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests.server.harness import EXE, free_port


class Listener:
    def __init__(self, record: Path, port: int | None = None, status: int = 200, delay: float = 0.0):
        self.record = record
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.args = [EXE, "webhooks", "listen", "--port", str(self.port), "--record", str(record),
                     "--status", str(status), "--delay", str(delay)]
        self.proc = None

    def start(self) -> "Listener":
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("listener did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)

    def received(self) -> list[dict]:
        if not self.record.exists():
            return []
        complete = self.record.read_text(encoding="utf-8").split("\n")[:-1]   # the last may be half written
        return [json.loads(line) for line in complete if line.strip()]

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"expected {count} deliveries, got {len(self.received())}: "
                             f"{[e['event'] for e in self.received()]}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
