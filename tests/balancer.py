"""Debian's haproxy in front of several `membermock serve` instances, on a free loopback port.

Round robin, a health check on /__mock__/health every 200 ms, and a failed connection retried on
another instance (``option redispatch``): what a team's load balancer does. Each answer names the
instance that gave it (``X-Served-By``), so a test can read back through the other one.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.server.harness import free_port

CONFIG = """global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 5s
    retries 3
    option redispatch
frontend mock
    bind 127.0.0.1:{port}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /__mock__/health
    http-check expect status 200
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


class Unavailable(RuntimeError):
    pass


def binary() -> str | None:
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


class Balancer:
    def __init__(self, backends: dict[str, str], check: str = "inter 200 fall 2 rise 2"):
        """``backends``: instance name -> host:port; ``check``: how often a health check runs and
        how many failures take an instance out (a kill is noticed in 400 ms by default)."""
        exe = binary()
        if exe is None:
            raise Unavailable("haproxy is not installed (apt-get install haproxy)")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(f"    server {name} {addr} check {check}"
                            for name, addr in backends.items())
        self.folder = tempfile.mkdtemp(prefix="membermock-haproxy-")
        config = Path(self.folder, "haproxy.cfg")
        config.write_text(CONFIG.format(port=self.port, servers=servers))
        self.proc = subprocess.Popen([exe, "-f", str(config), "-db"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{self.base}/__mock__/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None:
                raise Unavailable(f"haproxy did not start: {self.proc.stderr.read().decode(errors='replace')}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("haproxy did not answer in time")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Balancer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
