"""The server under test: where it is, how to authenticate, and what the run did to it.

Every request of the suite goes through ``Target.http`` (a recording ``requests.Session``), so the
report can say which operations and status codes were exercised, and anything a create made is
registered (through the contract's links to a delete operation) and removed at the end.
Mutating calls only ever touch objects this run created: any other id is replaced by one that
cannot exist (``FOREIGN_ID``), so a generated request never edits or deletes a real site's data.
"""
from __future__ import annotations

import base64
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import requests

from conformance import contract

FOREIGN_ID = 987654321
ID_KEYS = ("id", "user_id", "post_id", "input")
TIMEOUT = 30


@dataclass
class Options:
    base_url: str | None = None
    apis: tuple[str, ...] = contract.API_NAMES
    mp_api_key: str | None = None
    wp_user: str | None = None
    wp_app_password: str | None = None
    subscriber_user: str | None = None
    subscriber_app_password: str | None = None
    read_only: bool = False
    allow_irreversible: bool = False
    max_examples: int = 10
    webhook_host: str = "127.0.0.1"
    webhook_key: str | None = None
    webhook_listen: str | None = None
    webhook_listen_for: float | None = None
    report: str | None = None


def basic(user: str, password: str) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _pointer(doc, pointer: str):
    for part in [p for p in pointer.lstrip("/").split("/") if p != ""]:
        part = part.replace("~1", "/").replace("~0", "~")
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def request_body(prepared) -> dict:
    raw = prepared.body
    if not raw:
        return {}
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw)
    except ValueError:
        return dict(parse_qsl(raw))


def evaluate(expression, response: requests.Response):
    """An OpenAPI runtime expression ($response.body#/id, $request.body#/user_id, $request.query.x)."""
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    if expression.startswith("$response.body#"):
        return _pointer(response.json(), expression.split("#", 1)[1])
    if expression.startswith("$request.body#"):
        return _pointer(request_body(response.request), expression.split("#", 1)[1])
    if expression.startswith("$request.query."):
        query = dict(parse_qsl(urlsplit(response.request.url).query))
        return query[expression.split(".", 2)[2]]
    raise KeyError(expression)


@dataclass
class Cleanup:
    api: str
    target: str
    params: dict
    body: object
    source: str
    outcome: str = "pending"


@dataclass
class Ledger:
    """What was observed on the wire, and what must be undone."""

    statuses: dict = field(default_factory=lambda: defaultdict(set))   # (api, op_id) -> {"200", ...}
    created: set = field(default_factory=set)                          # (operation path, str id) this run made
    cleanups: list = field(default_factory=list)
    requests: int = 0
    methods: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _id_like(value) -> bool:
    """A value PHP could read as an existing id: a number of 1 or more, or a string starting with
    one (``"1"``, ``" 7"``, ``"1.0"``, ``"3abc"``: intval reads the leading digits)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value >= 1
    if isinstance(value, str):
        digits = value.strip().lstrip("+")
        lead = len(digits) - len(digits.lstrip("0123456789"))
        return lead > 0 and int(digits[:lead]) > 0
    return False


class RecordingSession(requests.Session):
    def __init__(self, target: "Target"):
        super().__init__()
        self.target = target

    def request(self, method, url, *args, **kwargs):
        if self.target.options.read_only and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            import pytest  # the guarantee behind --read-only, whatever a test tries
            pytest.skip(f"--read-only: this test would send a {method.upper()}")
        kwargs.setdefault("timeout", TIMEOUT)
        response = super().request(method, url, *args, **kwargs)
        self.target.observe(response)
        return response


class Target:
    def __init__(self, options: Options):
        self.options = options
        self.base_url = (options.base_url or "").rstrip("/")
        self.base_path = urlsplit(self.base_url).path.rstrip("/")
        self.ledger = Ledger()
        self.http = RecordingSession(self)

    # -- credentials ---------------------------------------------------------------------------
    def credentials(self, api: str) -> dict | None:
        o = self.options
        if api == "memberpress" and o.mp_api_key:
            return {"MEMBERPRESS-API-KEY": o.mp_api_key}
        if o.wp_user and o.wp_app_password:
            return basic(o.wp_user, o.wp_app_password)
        return None

    def subscriber(self) -> dict | None:
        o = self.options
        if o.subscriber_user and o.subscriber_app_password:
            return basic(o.subscriber_user, o.subscriber_app_password)
        return None

    # -- plain calls -----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def call(self, api: str, method: str, path: str, auth="default", **kw) -> requests.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if auth == "default":
            headers.update(self.credentials(api) or {})
        elif auth:
            headers.update(auth)
        return self.http.request(method, self.url(path), headers=headers, **kw)

    # -- recording ---------------------------------------------------------------------------------
    def observe(self, response: requests.Response) -> None:
        prepared = response.request
        path = urlsplit(prepared.url).path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):] or "/"
        op = contract.match(prepared.method, path)
        if op is None:
            return
        with self.ledger.lock:
            self.ledger.methods[prepared.method] = self.ledger.methods.get(prepared.method, 0) + 1
            self.ledger.requests += 1
            self.ledger.statuses[(op.api, op.op_id)].add(str(response.status_code))
        if 200 <= response.status_code < 300 and prepared.method != "GET":
            self._register(op, response)

    def record(self, op: contract.Operation, status: int) -> None:
        """A response to ``op`` seen elsewhere than at the base URL (a disposable site of the mock)."""
        with self.ledger.lock:
            self.ledger.statuses[(op.api, op.op_id)].add(str(status))

    def _register(self, op: contract.Operation, response) -> None:
        for link in contract.deleters(op):
            try:
                params = {k: evaluate(v, response) for k, v in link.parameters.items()}
                body = ({k: evaluate(v, response) for k, v in link.body.items()}
                        if isinstance(link.body, dict) else evaluate(link.body, response))
            except (KeyError, IndexError, TypeError, ValueError):
                continue
            where = contract.by_id(op.api)[link.target].path
            with self.ledger.lock:
                for value in [*params.values(), *(body.values() if isinstance(body, dict) else [body])]:
                    if value is not None:
                        self.ledger.created.add((where, str(value)))
                self.ledger.cleanups.append(Cleanup(op.api, link.target, params, body, op.op_id))

    # -- safety ----------------------------------------------------------------------------------
    def owned(self, op: contract.Operation, value) -> bool:
        """Made by this run, as an object of the kind ``op`` works on (ids of different kinds collide)."""
        return any((path, str(value)) in self.ledger.created for path in contract.siblings(op))

    def defang(self, case) -> None:
        """Point a mutating generated request at nothing unless it names only objects this run made."""
        op = contract.of_case(case)
        if case.method.upper() == "GET" or contract.deleters(op):
            return
        if case.path_parameters:
            for key, value in list(case.path_parameters.items()):
                if _id_like(value) and not self.owned(op, value):
                    case.path_parameters[key] = FOREIGN_ID
        for container in (case.query, case.body if isinstance(case.body, dict) else None):
            if not container:
                continue
            for key in ID_KEYS:
                value = container.get(key)
                if _id_like(value) and not self.owned(op, value):
                    container[key] = FOREIGN_ID

    # -- the end ---------------------------------------------------------------------------------
    def clean_up(self) -> None:
        """Delete, newest first, everything the run created (already-deleted answers 404: fine)."""
        for item in reversed(self.ledger.cleanups):
            op = contract.by_id(item.api)[item.target]
            path, query = op.path, {}
            for name, value in item.params.items():
                if "{" + name + "}" in path:
                    path = path.replace("{" + name + "}", str(value))
                else:
                    query[name] = value
            kw = {"params": query}
            if item.body is not None:
                kw["json"] = item.body
            try:
                response = self.call(item.api, op.method, path, **kw)
                item.outcome = str(response.status_code)
            except requests.RequestException as exc:
                item.outcome = f"error: {exc}"
