"""Hostile input on every route of a real server: never a 5xx, always a JSON error body."""
import re

import pytest

from mock_server import operations
from tests.server.harness import ADMIN_PASSWORD, API_KEY

OPS = [op for api in operations.documents() for op in operations.load(api)]
AUTH = {"MEMBERPRESS-API-KEY": API_KEY}
BASIC = ("admin", ADMIN_PASSWORD)


def concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", lambda m: "woocommerce-memberships" if m.group(0) == "{namespace}" else "1", path)


ATTACKS = {
    "malformed-json": dict(data=b'{"email": "x@y.z", ', headers={"Content-Type": "application/json"}),
    "json-array": dict(data=b"[1, 2, 3]", headers={"Content-Type": "application/json"}),
    "json-scalar": dict(data=b'"just a string"', headers={"Content-Type": "application/json"}),
    "wrong-content-type": dict(data=b"<xml>not json</xml>", headers={"Content-Type": "application/xml"}),
    "binary-garbage": dict(data=bytes(range(256)) * 4, headers={"Content-Type": "application/octet-stream"}),
    "odd-characters": dict(params={"search": "\u202e💥'\"; DROP TABLE--\x00", "id": "１２", "page": "\ud7ff"},
                           data={"email": "🙂@例え.jp", "username": "a\u0000b", "title": "\ufeff" * 50}),
    "deep-nesting": dict(data=b'{"a":' * 500 + b"1" + b"}" * 500, headers={"Content-Type": "application/json"}),
    "huge-body": dict(data=b'{"x": "' + b"A" * (9 * 1024 * 1024) + b'"}', headers={"Content-Type": "application/json"}),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_no_route_answers_5xx_to_hostile_input(server, attack):
    failures = []
    for op in OPS:
        kwargs = {k: (dict(v) if isinstance(v, dict) else v) for k, v in ATTACKS[attack].items()}
        headers = {**AUTH, **kwargs.pop("headers", {})}
        if attack == "huge-body" and op.method == "GET":
            continue
        response = server.http.request(op.method, server.url(concrete(op.path)), headers=headers, auth=BASIC,
                                       timeout=60, **kwargs)
        if response.status_code >= 500:
            failures.append(f"{op.method} {op.path}: {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400:
            try:
                response.json()
            except ValueError:
                failures.append(f"{op.method} {op.path}: {response.status_code} answered non-JSON")
    assert not failures, "\n".join(failures)
