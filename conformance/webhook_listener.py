"""A real HTTP listener in this process that keeps every POST it gets, headers and raw body, and
answers 200 (so any delivery that comes again is the sender's doing, not a retry we caused).

Waiting is on a condition the handler signals, with a deadline: no polling sleeps.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conformance.webhook_checks import Delivery, parse


class _Inbox(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as senders reuse their connection
    disable_nagle_algorithm = True  # the answer's head and body as they are written, not 40 ms apart

    def do_POST(self):  # noqa: N802 (http.server's naming)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.listener.add(dict(self.headers.items()), raw)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class Listener:
    """``host`` is what the server is told to post to; the socket binds loopback for a loopback
    host, every address otherwise (``bind`` overrides). Port 0 takes a free one."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, bind: str | None = None, path: str = "/conformance-hook"):
        bind = bind or ("127.0.0.1" if host in ("127.0.0.1", "localhost") else "0.0.0.0")
        self.server = ThreadingHTTPServer((bind, port), _Inbox)
        self.server.daemon_threads = True
        self.server.listener = self
        self.arrived = threading.Condition()
        self.received: list[Delivery] = []
        self.url = f"http://{host}:{self.server.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def add(self, headers: dict, raw: bytes) -> None:
        with self.arrived:
            self.received.append(parse(len(self.received), headers, raw, time.monotonic()))
            self.arrived.notify_all()

    def deliveries(self) -> list[Delivery]:
        with self.arrived:
            return list(self.received)

    def wait(self, done, timeout: float, idle: float | None = None) -> bool:
        """Until ``done(deliveries)`` holds, or ``timeout`` seconds pass, or (with ``idle``) nothing
        has arrived for ``idle`` seconds (counted from the call at the earliest); whether it held."""
        start = time.monotonic()
        deadline = start + timeout
        with self.arrived:
            while not done(list(self.received)):
                now = time.monotonic()
                left = deadline - now
                if idle is not None:
                    last = max(start, self.received[-1].at if self.received else start)
                    left = min(left, last + idle - now)
                if left <= 0:
                    return False
                self.arrived.wait(left)
            return True

    def quiet(self, seconds: float, timeout: float) -> None:
        """Until nothing has arrived for ``seconds`` (a late duplicate would come by then), at most ``timeout``."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while time.monotonic() < deadline:
                last = self.received[-1].at if self.received else 0.0
                left = last + seconds - time.monotonic()
                if left <= 0:
                    return
                self.arrived.wait(min(left, deadline - time.monotonic()))
