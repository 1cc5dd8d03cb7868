"""One webhook POST over a kept-alive connection, following redirects as wp_remote_post does.

``requests`` cost more CPU per POST than the rest of a delivery; in a burst the deliverer shares
two cores with the workers that queue the events, so that cost became queueing delay. A plain
``http.client`` connection per receiver, reused while it stays open, does the same job.
"""
from __future__ import annotations

import http.client
import socket
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 5
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Poster:
    """Connections of one thread, keyed by scheme, host and port."""

    def __init__(self):
        self.connections: dict[tuple, http.client.HTTPConnection] = {}

    def post(self, url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
        """(status, None) when answered, (None, error) when not; follows up to 5 redirects."""
        try:
            for _ in range(MAX_REDIRECTS + 1):
                status, location = self._once(url, body, headers, timeout)
                if status in (301, 302, 303, 307, 308) and location:
                    url = urljoin(url, location)
                    continue
                return status, None
            return None, f"TooManyRedirects: more than {MAX_REDIRECTS}"
        except (socket.timeout, TimeoutError) as exc:
            return None, f"Timeout: {exc}"[:500]
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return None, f"ConnectionError: {type(exc).__name__}: {exc}"[:500]

    def _once(self, url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, str | None]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        key = (parts.scheme, parts.hostname, parts.port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        reused = key in self.connections
        for _ in range(2):  # a kept-alive connection the receiver has closed gets one fresh retry
            conn = self.connections.get(key) or self._open(key, timeout)
            try:
                conn.timeout = timeout
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                conn.request("POST", target, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.will_close:
                    self._drop(key)
                return response.status, response.getheader("Location")
            except _STALE:
                self._drop(key)
                if not reused:
                    raise
                reused = False
            except BaseException:
                self._drop(key)
                raise
        raise ConnectionResetError("connection closed by the receiver")

    def _open(self, key, timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = key
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = self.connections[key] = cls(host, port, timeout=timeout)
        return conn

    def _drop(self, key) -> None:
        conn = self.connections.pop(key, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for key in list(self.connections):
            self._drop(key)
