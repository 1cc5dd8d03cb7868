"""Faults a test asks for: wrong statuses, delays, dropped and reset connections, broken or slow
bodies on the plugins' routes, and duplicated or delayed webhook deliveries.

A fault is one flat JSON object (the control document's ``Fault`` schema): a match (``method``,
``path`` glob, ``api``; or ``webhook``, an event glob, and ``url`` for deliveries) and one fault,
applied ``times`` times or with ``probability``. Faults are stored in the site's database, so every
worker (and the webhook deliverer) applies the same ones and counts them together; whether a
probable fault fires is a hash of its seed, its id and how many matches came before, so a run
repeats whichever worker serves each request. The WSGI layer is off the path when a site has no
fault: it then costs one comparison of the store's version.
"""
from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import socket
import struct
import time

from membermock import contracts
from mock_server import wp
from mock_server.journal import CONTROL_PREFIX, api_of

DDL = """
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0,
    applied INTEGER NOT NULL DEFAULT 0
);
"""
KINDS = ("status", "delay_ms", "drop", "reset", "malformed", "slow_body", "duplicate")
REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           408: "Request Timeout", 409: "Conflict"}


class FaultError(ValueError):
    pass


def install(store) -> None:
    store.db.executescript(DDL)


def check(spec) -> dict:
    """The fault as stored, or FaultError naming what is wrong with it."""
    if not isinstance(spec, dict):
        raise FaultError("A fault is a JSON object, e.g. {\"path\": \"/wp-json/mp/v1/*\", \"status\": 503}.")
    kinds = [k for k in KINDS if k in spec]
    if len(kinds) != 1:
        raise FaultError(f"A fault has exactly one of {', '.join(KINDS)}; this one has "
                         f"{', '.join(kinds) if kinds else 'none'}.")
    problems = contracts.problems_of(contracts.control_validator("Fault"), spec)
    if problems:
        kind = "a webhook delivery" if "webhook" in spec else "a request"
        named = [f"{kinds[0]} is not a fault of {kind}" if p.rule == "None" else str(p) for p in problems
                 if p.rule not in ("oneOf", "anyOf", "allOf", "if", "then", "else", "not")]
        named += ["method, path and api do not go with webhook" for p in problems if p.rule == "not"]
        raise FaultError("; ".join(dict.fromkeys(named or [str(p) for p in problems])))
    if "delay_ms" in spec and isinstance(spec["delay_ms"], list) and spec["delay_ms"][0] > spec["delay_ms"][1]:
        raise FaultError("delay_ms as a range is [min, max] with min <= max.")
    return spec


# -- storage ---------------------------------------------------------------------------------------

class Faults:
    """One site's faults, cached per store version (a fault change or count is a commit)."""

    def __init__(self, store):
        self.store = store
        install(store)
        self._cached = (None, [])

    def add(self, spec: dict) -> dict:
        check(spec)
        with self.store.transaction() as db:
            (fault_id,) = db.execute("INSERT INTO faults (spec) VALUES (?) RETURNING id", (json.dumps(spec),)).fetchall()[0]
        return self.get(fault_id)

    def get(self, fault_id: int) -> dict | None:
        row = self.store.db.execute("SELECT id, spec, seen, applied FROM faults WHERE id = ?", (fault_id,)).fetchone()
        return _state(row) if row else None

    def all(self) -> list[dict]:
        return [_state(row) for row in self.store.db.execute("SELECT id, spec, seen, applied FROM faults ORDER BY id")]

    def remove(self, fault_id: int | None = None) -> int:
        with self.store.transaction() as db:
            if fault_id is None:
                return db.execute("DELETE FROM faults").rowcount
            return db.execute("DELETE FROM faults WHERE id = ?", (fault_id,)).rowcount

    def live(self) -> list[dict]:
        """Faults that can still fire (``times`` not used up)."""
        version = self.store.version()
        if self._cached[0] != version:
            self._cached = (version, [f for f in self.all() if f["remaining"] != 0])
        return self._cached[1]

    def fire(self, candidates: list[dict]) -> tuple[dict | None, int]:
        """Count a match for every candidate; return the first that fires and its match number."""
        with self.store.transaction() as db:
            for fault in candidates:
                row = db.execute("SELECT spec, seen, applied FROM faults WHERE id = ?", (fault["id"],)).fetchone()
                if row is None:
                    continue
                spec, seen, applied = json.loads(row[0]), row[1], row[2]
                fires = ("times" not in spec or applied < spec["times"]) and _chance(spec, fault["id"], seen)
                db.execute("UPDATE faults SET seen = seen + 1, applied = applied + ? WHERE id = ?",
                           (int(fires), fault["id"]))
                if fires:
                    return {**spec, "id": fault["id"]}, seen
        return None, 0


def _state(row) -> dict:
    fault_id, spec, seen, applied = row
    spec = json.loads(spec)
    remaining = max(spec["times"] - applied, 0) if "times" in spec else None
    return {"id": fault_id, **spec, "seen": seen, "applied": applied, "remaining": remaining}


def _unit(seed, fault_id: int, n: int, salt: str = "") -> float:
    digest = hashlib.blake2b(f"{seed}:{fault_id}:{n}:{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _chance(spec: dict, fault_id: int, seen: int) -> bool:
    return "probability" not in spec or _unit(spec.get("seed", 0), fault_id, seen) < spec["probability"]


def delay_seconds(fault: dict, n: int) -> float:
    delay = fault["delay_ms"]
    if isinstance(delay, list):
        low, high = delay
        delay = low + (high - low) * _unit(fault.get("seed", 0), fault["id"], n, "delay")
    return delay / 1000


# -- matching ----------------------------------------------------------------------------------------

def matches_request(fault: dict, method: str, path: str) -> bool:
    if "webhook" in fault:
        return False
    if fault.get("method") and fault["method"].upper() != method:
        return False
    if fault.get("path") and not fnmatch.fnmatchcase(path, fault["path"]):
        return False
    return not fault.get("api") or fault["api"] == api_of(path)


def matches_delivery(fault: dict, event: str, url: str) -> bool:
    if "webhook" not in fault:
        return False
    if not fnmatch.fnmatchcase(event, fault["webhook"]):
        return False
    return not fault.get("url") or fnmatch.fnmatchcase(url, fault["url"])


def for_delivery(faults: Faults, event: str, url: str) -> tuple[dict | None, int]:
    """The delivery fault that fires for this attempt, if any (called by the deliverer)."""
    candidates = [f for f in faults.live() if matches_delivery(f, event, url)]
    return faults.fire(candidates) if candidates else (None, 0)


# -- the WSGI layer -------------------------------------------------------------------------------------

class FaultsLayer:
    def __init__(self, app, site_key: str):
        self.app = app
        self.site_key = site_key

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(CONTROL_PREFIX):
            return self.app(environ, start_response)
        faults = environ[self.site_key].faults
        live = faults.live()
        if not live:
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        candidates = [f for f in live if matches_request(f, method, path)]
        fault, n = faults.fire(candidates) if candidates else (None, 0)
        if fault is None:
            return self.app(environ, start_response)
        environ["membermock.fault"] = fault["id"]
        if "status" in fault:
            return _status(fault)(environ, start_response)
        if "delay_ms" in fault:
            time.sleep(delay_seconds(fault, n))
            return self.app(environ, start_response)
        if "drop" in fault or "reset" in fault:
            _cut(environ, reset="reset" in fault)
        status, headers, body = _run(self.app, environ)
        if "malformed" in fault:
            body = body[:max(len(body) // 2, 1) - 1] if len(body) > 1 else b"{"
            headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type")]
            start_response("200 OK", headers + [("Content-Type", "application/json; charset=UTF-8"),
                                                ("Content-Length", str(len(body)))])
            return [body]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return _dribble(body, fault["slow_body"] / 1000)


def _status(fault: dict):
    code = fault["status"]
    reason = REASONS.get(code, "Fault")
    response = wp.error("membermock_fault", f"{reason} (fault {fault['id']} set on this site).", code)
    if code in (429, 503):
        response.headers["Retry-After"] = str(fault.get("retry_after", 1))
    return response


def _cut(environ, reset: bool) -> None:
    """Close the client's connection with no answer: FIN (drop) or RST (reset). gunicorn hands the
    socket in the environ; the OSError tells it the peer is gone, which it ignores quietly."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if sock is None:
        raise FaultError("drop and reset need a real server (membermock serve)")
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        raise OSError(errno.ECONNRESET, "connection reset by a membermock fault")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raise OSError(errno.EPIPE, "connection dropped by a membermock fault")


def _run(app, environ) -> tuple[str, list, bytes]:
    captured = {}

    def start(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, list(headers)
        return lambda data: None

    result = app(environ, start)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return captured["status"], captured["headers"], body


def _dribble(body: bytes, seconds: float, pieces: int = 10):
    size = max(len(body) // pieces, 1)
    chunks = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    pause = seconds / max(len(chunks), 1)
    for chunk in chunks:
        time.sleep(pause)
        yield chunk
