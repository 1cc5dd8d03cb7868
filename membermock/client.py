"""A small client of a running mock, for tests: the server, its isolated sites, a webhook receiver.

Everything goes through the mock's control routes (``/__mock__/...``) and the plugins' own routes,
over HTTP, so a test drives the mock exactly as any other program would. The pytest fixtures in
``membermock.pytest_plugin`` hand these objects out.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checked(response: requests.Response) -> requests.Response:
    if response.status_code >= 400:
        raise MockError(f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}")
    return response


class MockError(RuntimeError):
    """The mock refused a control request (the message carries its answer)."""


class MockServer:
    """A mock reachable at ``url``; ``start()`` runs one as a real `membermock serve` process."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.proc: subprocess.Popen | None = None
        self._dir: str | None = None

    @classmethod
    def start(cls, workers: int = 2, args: tuple = (), timeout: float = 60) -> "MockServer":
        folder = tempfile.mkdtemp(prefix="membermock-")
        port = free_port()
        exe = shutil.which("membermock") or str(Path(sys.executable).with_name("membermock"))
        server = cls(f"http://127.0.0.1:{port}")
        server._dir = folder
        server.proc = subprocess.Popen(
            [exe, "serve", "--port", str(port), "--db", str(Path(folder) / "site.sqlite3"),
             "--workers", str(workers), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{server.url}/__mock__/health", timeout=5).status_code == 200:
                    return server
            except (requests.ConnectionError, requests.Timeout):
                pass   # not listening yet, or a worker still starting on a busy machine
            if server.proc.poll() is not None:
                output = server.proc.stdout.read().decode(errors="replace")
                raise MockError(f"membermock serve exited: {output}")
            if time.monotonic() > deadline:
                server.stop()
                raise MockError("membermock serve did not answer in time")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    def health(self) -> dict:
        return _checked(self.http.get(f"{self.url}/__mock__/health", timeout=TIMEOUT)).json()

    def new_site(self, name: str | None = None, seed: int | None = None, scenario=None) -> "MockSite":
        body = {k: v for k, v in (("name", name), ("seed", seed), ("scenario", scenario)) if v is not None}
        info = _checked(self.http.post(f"{self.url}/__mock__/sites", json=body, timeout=TIMEOUT)).json()
        return MockSite(self, info)

    def default_site(self) -> "MockSite":
        return MockSite(self, {"name": None, "url": self.url})


class MockSite:
    """One isolated site: its base URL, credentials, journal, faults, events and data."""

    def __init__(self, server: MockServer, info: dict):
        self.server = server
        self.name = info["name"]
        self.url = info["url"]
        self.info = info
        self.http = server.http
        self._users: dict | None = None

    # -- credentials ---------------------------------------------------------------------------
    @property
    def mp_headers(self) -> dict:
        """Headers that authenticate to MemberPress's mp/v1 on this site."""
        return {"MEMBERPRESS-API-KEY": self.info["mp_api_key"]}

    def wp_auth(self, user: str = "admin") -> tuple[str, str]:
        """(login, application password) for ``requests``' ``auth=``: PMPro and the abilities."""
        if self._users is None:
            self._users = {u["login"]: u for u in self._get("/__mock__/users").json()}
        if user not in self._users:
            raise MockError(f"no user {user!r} on site {self.name}; users: {', '.join(self._users)}")
        return user, self._users[user]["application_password"]

    # -- the journal -------------------------------------------------------------------------------
    def requests(self, **filters) -> list[dict]:
        """What clients sent to this site's plugin routes, oldest first (method, path glob, status,
        api, since, limit)."""
        return self._get("/__mock__/requests", params=filters).json()

    def request_count(self, **filters) -> int:
        return self._get("/__mock__/requests/count", params=filters).json()["count"]

    def clear_requests(self) -> None:
        _checked(self.http.delete(f"{self.url}/__mock__/requests", timeout=TIMEOUT))

    # -- faults ------------------------------------------------------------------------------------
    def fault(self, **spec) -> dict:
        """Set a fault, e.g. ``fault(path="/wp-json/mp/v1/members*", status=503, times=2)``."""
        return _checked(self.http.post(f"{self.url}/__mock__/faults", json=spec, timeout=TIMEOUT)).json()

    def faults(self) -> list[dict]:
        return self._get("/__mock__/faults").json()

    def clear_faults(self) -> None:
        _checked(self.http.delete(f"{self.url}/__mock__/faults", timeout=TIMEOUT))

    # -- webhooks and data --------------------------------------------------------------------------
    def trigger(self, event: str, id: int | None = None) -> dict:  # noqa: A002 (the control route's name)
        """Send a MemberPress webhook event now, about object ``id`` if given."""
        body = {"id": id} if id is not None else None
        return _checked(self.http.post(f"{self.url}/__mock__/events/{event}", json=body, timeout=TIMEOUT)).json()

    def deliveries(self, **filters) -> list[dict]:
        return self._get("/__mock__/webhooks/deliveries", params=filters).json()

    def subscribe(self, url: str, event: str = "all") -> int:
        """Subscribe ``url`` to MemberPress events through the plugin's own route."""
        response = self.http.post(f"{self.url}/wp-json/mp/v1/webhooks/subscribe", headers=self.mp_headers,
                                  json={"url": url, "event": event}, timeout=TIMEOUT)
        return _checked(response).json()["data"]["id"]

    def load(self, scenario) -> dict:
        """Replace the site's data with a scenario: a dict, YAML/JSON text, or a path to a file."""
        if isinstance(scenario, Path) or (isinstance(scenario, str) and "\n" not in scenario
                                          and Path(scenario).suffix in (".yaml", ".yml", ".json")):
            path = Path(scenario)
            body, params = path.read_bytes(), {"file": path.name}
        elif isinstance(scenario, dict):
            body, params = json.dumps(scenario).encode(), {}
        else:
            body, params = scenario.encode() if isinstance(scenario, str) else scenario, {}
        self._users = None
        return _checked(self.http.post(f"{self.url}/__mock__/scenario", data=body, params=params,
                                       headers={"Content-Type": "application/yaml"}, timeout=TIMEOUT)).json()

    @property
    def clock(self) -> "SiteClock":
        """The site's clock: ``.now()``, ``.set(iso)``, ``.advance("P1M")``, ``.freeze()``."""
        return SiteClock(self)

    def fail_payments(self, subscription: int, times: int = 1) -> dict:
        """Make the next ``times`` renewals of a MemberPress subscription fail."""
        return _checked(self.http.post(f"{self.url}/__mock__/payments/fail", timeout=TIMEOUT,
                                       json={"subscription": subscription, "times": times})).json()

    def export(self) -> dict:
        """The site as a scenario that loads back into the same site."""
        return self._get("/__mock__/state", params={"format": "scenario"}).json()

    def reset(self) -> None:
        self._users = None
        _checked(self.http.post(f"{self.url}/__mock__/reset", timeout=TIMEOUT))

    def delete(self) -> None:
        if self.name:
            self.http.delete(f"{self.server.url}/__mock__/sites/{self.name}", timeout=TIMEOUT)

    def _get(self, path: str, **kw) -> requests.Response:
        return _checked(self.http.get(f"{self.url}{path}", timeout=TIMEOUT, **kw))


class SiteClock:
    """A site's clock over its control route; moving it forward runs the plugins' lifecycle."""

    def __init__(self, site: MockSite):
        self.site = site

    def state(self) -> dict:
        return self.site._get("/__mock__/clock").json()

    def now(self) -> str:
        return self.state()["now"]

    def _move(self, **body) -> dict:
        return _checked(self.site.http.post(f"{self.site.url}/__mock__/clock", json=body, timeout=120)).json()

    def set(self, moment: str, frozen: bool | None = None) -> dict:
        return self._move(set=moment, **({} if frozen is None else {"frozen": frozen}))

    def advance(self, duration="P1D") -> dict:
        """``duration``: an ISO 8601 duration (``P1M``, ``PT12H``) or seconds."""
        return self._move(advance=duration)

    def freeze(self, frozen: bool = True) -> dict:
        return self._move(frozen=frozen)


# -- a webhook receiver ------------------------------------------------------------------------------

@dataclass
class Delivery:
    event: str | None
    body: object
    headers: dict
    received_at: float

    @property
    def delivery_id(self) -> str | None:
        return self.headers.get("x-membermock-delivery-id")


@dataclass
class WebhookReceiver:
    """A real HTTP listener on loopback that keeps every delivery it is sent."""

    status: int = 200
    events: list[Delivery] = field(default_factory=list)

    def __post_init__(self):
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                event = body.get("event") if isinstance(body, dict) else None
                with receiver._arrived:
                    receiver.events.append(Delivery(event, body, {k.lower(): v for k, v in self.headers.items()},
                                                    time.time()))
                    receiver._arrived.notify_all()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for(self, event: str, timeout: float = 5, count: int = 1) -> Delivery:
        """The ``count``-th delivery of ``event`` (waiting up to ``timeout`` seconds for it)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [d for d in self.events if d.event == event]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {event!r} delivery (#{count}) within {timeout}s; "
                                         f"received: {[d.event for d in self.events]}")
                self._arrived.wait(left)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
