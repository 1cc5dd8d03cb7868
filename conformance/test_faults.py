"""Documented server failures (5xx), reached on a membermock target through its fault API.

A 5xx the contract documents for an operation (a failed save, an add-on error without a status)
is what the real plugin answers when something breaks inside it; no valid request causes it. On a
membermock target the suite makes a disposable site (conformance/mocksite.py), sets a fault of
that status on the operation's route there (``POST /__mock__/faults``) and sends the operation's
request: the answer must carry the status and pass the generated requests' checks (documented
status, content type and body). Only statuses whose documented body is a WordPress error object,
the body a fault answers with, are reached so: a bare string or an HTML error page would prove
nothing the suite did not write itself. The others, and all of them on any other server, stay in
the report as "server-side failure only". The request names no object and carries no body, so it
changes nothing even where the fault did not apply.
"""
from __future__ import annotations

import re

import pytest

from conformance import checking, contract, mocksite, schemas
from conformance.target import FOREIGN_ID


def _ops() -> list:
    return [pytest.param(op, id=op.op_id, marks=[pytest.mark.api(op.api), pytest.mark.covers(op.op_id)])
            for api in contract.API_NAMES for op in contract.operations(api) if mocksite.fault_statuses(op)]


def _path(op: contract.Operation) -> dict:
    return {name: FOREIGN_ID for name in re.findall(r"\{(\w+)\}", op.path)}


def _code(response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@pytest.mark.writes
@pytest.mark.parametrize("op", _ops())
def test_documented_server_failure(op, target, disposable):
    if disposable is None:
        pytest.skip("the target offers no membermock control API (GET /__mock__/health): a 5xx only a server "
                    "failure causes cannot be caused on it")
    path = _path(op)
    concrete = op.path
    for name, value in path.items():
        concrete = concrete.replace("{" + name + "}", str(value))
    schema = schemas.positive(op.api)[op.path][op.method]
    if op.raw.get("x-optional-route"):  # a route a site may not serve has no failure of its own there
        plain = schema.Case(path_parameters=path, query={}).call(
            session=target.http, base_url=disposable.url, headers=disposable.credentials(op.api))
        if plain.status_code == 404 and _code(plain) == "rest_no_route":
            pytest.skip(f"{op.op_id}: the site does not serve the route (rest_no_route)")
    for status in mocksite.fault_statuses(op):
        mocksite.fault(target, disposable, method=op.method, path=concrete, status=int(status), times=1)
        case = schema.Case(path_parameters=path, query={})
        response = case.call(session=target.http, base_url=disposable.url, headers=disposable.credentials(op.api))
        if response.status_code != int(status):
            mocksite.clear_faults(target, disposable)  # not spent: it must not meet a later request
        assert response.status_code == int(status), (
            f"{op.op_id} ({op.label}): the fault of status {status} set through the control API did not apply "
            f"(answered {response.status_code}: {response.text[:200]})")
        target.record(op, response.status_code)
        checking.validate(case, response)
