"""The refusals each operation documents, reached by real requests before schemathesis explores.

For every operation, the request a correct client sends (its body from effects.yaml where the
resource is there, its required arguments filled from the contract), sent four ways:
without credentials (the documented 401), as a member without the capability (403), naming an
object that does not exist (404) and with a required argument missing (400). Every answer gets the
checks of the generated requests (documented status, content type and body); a protected
operation that answers 2xx without credentials breaks ``auth enforced``. What these and the other
tests never reach is listed in the report with its reason (conformance/coverage.py).
"""
from __future__ import annotations

import pytest

from conformance import checking, contract, effects, schemas, state, subscriber
from conformance.target import FOREIGN_ID

TARGET = state.target()


def _ops() -> list:
    return [pytest.param(op, id=op.op_id, marks=[pytest.mark.api(op.api), pytest.mark.covers(op.op_id)])
            for api in contract.API_NAMES for op in contract.operations(api)]


def _value(api: str, schema: dict):
    schema = contract._resolve(api, schema or {})
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(kind, "conformance")


@pytest.fixture(scope="module")
def loaded():
    return {}


def _bodies() -> dict:
    """operationId -> a body effects.yaml sends it (any object ids in it stand for ones that exist)."""
    out = {}
    scope = {"tag": "statusprobe", "self": {"id": FOREIGN_ID}, "user": FOREIGN_ID, "post": FOREIGN_ID,
             "levels": [1, 2]}
    for api in contract.API_NAMES:
        for resource in effects.resources(api).values():
            ids = {name: {"id": FOREIGN_ID} for name in effects.resources(api)}
            for spec in [resource["create"], *resource.get("steps", [])]:
                out.setdefault(spec["op"], effects.fill(spec.get("body"), {**ids, **scope}))
    return out


BODIES = _bodies()


def _request(op: contract.Operation) -> tuple[dict, dict, object]:
    path, query = {}, {}
    for param in op.raw.get("parameters", []) + contract.document(op.api)["paths"][op.path].get("parameters", []):
        param = contract._resolve(op.api, param)
        if param.get("in") == "path":
            path[param["name"]] = FOREIGN_ID
        elif param.get("in") == "query" and param.get("required"):
            query[param["name"]] = _value(op.api, param.get("schema"))
    for name in op.raw.get("x-wp-required-args", []):
        query.setdefault(name, 1)
    body = BODIES.get(op.op_id)
    if body is None and op.raw.get("requestBody"):
        body = {}
    return path, query, body


def _send(loaded, op, path, query, body, auth):
    schema = loaded.get(op.api) or loaded.setdefault(op.api, schemas.load(op.api, negative=False))
    kw = {"path_parameters": path, "query": query}
    if body is not None:
        kw.update(body=body, media_type="application/json")
    case = schema[op.path][op.method].Case(**kw)
    response = case.call(session=TARGET.http, base_url=TARGET.base_url, headers=auth or {})
    checking.validate(case, response)
    return response


@pytest.mark.parametrize("op", _ops())
def test_documented_refusals(op, target, loaded):
    if target.options.read_only and op.method != "GET":
        pytest.skip(f"--read-only: {op.op_id} is a {op.method}")
    path, query, body = _request(op)
    credentials = target.credentials(op.api)
    if not op.public:
        answer = _send(loaded, op, path, query, body, None)
        assert not 200 <= answer.status_code < 300, (
            f"{op.op_id} ({op.label}) -> {answer.status_code}: rule 'auth enforced' broken: a request without "
            f"credentials succeeded although the operation is not public")
        member = subscriber.credentials(target)
        if member and "403" in op.statuses:
            _send(loaded, op, path, query, body, member)
    if credentials is None or contract.irreversible(op) and not target.options.allow_irreversible:
        return  # refused requests only: with credentials, this one could make what nothing deletes
    if path:
        _send(loaded, op, path, query, body, credentials)
    missing = [name for name in query]
    if missing and "400" in op.statuses:
        _send(loaded, op, path, {k: v for k, v in query.items() if k != missing[0]}, body, credentials)
    elif isinstance(body, dict) and body and "400" in op.statuses and not path:
        _send(loaded, op, path, query, {}, credentials)
