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

import functools
import json
import re
from pathlib import Path

import pytest

from conformance import checking, contract, effects, schemas, state, subscriber
from conformance.target import FOREIGN_ID, ID_KEYS

TARGET = state.target()


def _ops() -> list:
    return [pytest.param(op, id=op.op_id, marks=[pytest.mark.api(op.api), pytest.mark.covers(op.op_id)])
            for api in contract.API_NAMES for op in contract.operations(api)]


def _load(api: str, schema: dict, base=None) -> tuple[dict, object]:
    """A schema with its $ref followed (within the document, or to a file beside it)."""
    base = base or contract.contracts.openapi_documents()[api]
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if ref.startswith("#/"):
            if base == contract.contracts.openapi_documents()[api]:
                schema = contract._resolve(api, schema)
                continue
            doc = json.loads(Path(base).read_text(encoding="utf-8"))
            for part in ref[2:].split("/"):
                doc = doc[part]
            schema = doc
            continue
        file, _, pointer = ref.partition("#")
        base = (Path(base).parent / file).resolve()
        doc = json.loads(base.read_text(encoding="utf-8"))
        for part in [p for p in pointer.split("/") if p]:
            doc = doc[part]
        schema = doc
    return schema or {}, base


def _value(api: str, schema: dict, base=None):
    schema, base = _load(api, schema, base)
    if schema.get("type") == "object" or "properties" in schema:
        return {name: _value(api, schema["properties"].get(name, {}), base) for name in schema.get("required", [])
                if name in schema.get("properties", {})}
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(kind, "conformance")


def _requests() -> dict:
    """operationId -> (params, body) effects.yaml sends it, with an id no site has for each object."""
    out = {}
    scope = {"tag": "statusprobe", "self": {"id": FOREIGN_ID}, "user": FOREIGN_ID, "post": FOREIGN_ID,
             "levels": [1, 2]}
    for api in contract.API_NAMES:
        for resource in effects.resources(api).values():
            ids = {name: {"id": FOREIGN_ID} for name in effects.resources(api)}
            for spec in [resource["create"], resource["read"], *resource.get("steps", []), resource.get("delete")]:
                if spec:
                    out.setdefault(spec["op"], (effects.fill(spec.get("params") or {}, {**ids, **scope}),
                                                effects.fill(spec.get("body"), {**ids, **scope})))
    return out


KNOWN = _requests()


def _names_object(name: str) -> bool:
    return name in ID_KEYS or name.endswith("_id")


def _request(op: contract.Operation) -> tuple[dict, dict, object]:
    path, query = {}, {}
    for param in op.raw.get("parameters", []) + contract.document(op.api)["paths"][op.path].get("parameters", []):
        param = contract._resolve(op.api, param)
        if param.get("in") == "path":
            path[param["name"]] = FOREIGN_ID
        elif param.get("in") == "query" and param.get("required"):
            name = param["name"]
            value = _value(op.api, param.get("schema"))
            if isinstance(value, dict):  # an ability's input object, sent as PHP reads it: input[key]=value
                query.update({f"{name}[{k}]": FOREIGN_ID if _names_object(k) else v for k, v in value.items()})
            else:
                query[name] = FOREIGN_ID if _names_object(name) else value
    for name in op.raw.get("x-wp-required-args", []):
        query.setdefault(name, 1)
    params, body = KNOWN.get(op.op_id, ({}, None))
    query.update({k: v for k, v in params.items() if k not in path})
    if body is None and op.raw.get("requestBody"):
        body = {}
    return path, query, body


def _send(op, path, query, body, auth, site=None):
    """Send and check; to ``site`` (a disposable site of the mock) when given, else to the target."""
    schema = schemas.positive(op.api)
    kw = {"path_parameters": path, "query": query}
    if body is not None:
        kw.update(body=body, media_type="application/json")
    case = schema[op.path][op.method].Case(**kw)
    response = case.call(session=TARGET.http, base_url=site.url if site else TARGET.base_url, headers=auth or {})
    if site:
        TARGET.record(op, response.status_code)
    checking.validate(case, response)
    return response


def _values(body) -> list:
    if isinstance(body, dict):
        return [v for value in body.values() for v in _values(value)]
    return [body]


@pytest.mark.parametrize("op", _ops())
def test_documented_refusals(op, target, disposable):
    if target.options.read_only and op.method != "GET":
        pytest.skip(f"--read-only: {op.op_id} is a {op.method}")
    path, query, body = _request(op)
    credentials = target.credentials(op.api)
    if not op.public:
        answer = _send(op, path, query, body, None)
        assert not 200 <= answer.status_code < 300, (
            f"{op.op_id} ({op.label}) -> {answer.status_code}: rule 'auth enforced' broken: a request without "
            f"credentials succeeded although the operation is not public")
        member = subscriber.credentials(target)
        if member and "403" in op.statuses:
            _send(op, path, query, body, member)
        if disposable and "403" in op.statuses:
            # A logged-in user with no role at all (not even `read`), on the mock's disposable site.
            answer = _send(op, path, query, body, disposable.norole, disposable)
            assert not 200 <= answer.status_code < 300, (
                f"{op.op_id} ({op.label}) -> {answer.status_code}: rule 'capability required' broken: a user with "
                f"no role, so no capability at all, was let through")
    site = None
    if contract.irreversible(op) and not target.options.allow_irreversible:
        if disposable is None:
            return  # refused requests only: with credentials, this one could make what nothing deletes
        site, credentials = disposable, disposable.credentials(op.api)  # what it makes goes with the site
    if credentials is None:
        return
    send = functools.partial(_send, site=site)
    if existing := _existing(op, credentials) if op.method == "GET" and site is None else None:
        send(op, existing, query, body, credentials)  # an object the server lists: the success status
    if path or FOREIGN_ID in [*query.values(), *_values(body)]:
        send(op, path, query, body, credentials)  # names an object that does not exist
    if path and "404" in op.statuses:
        send(op, {name: "not-digits" for name in path}, query, body, credentials)  # matches no route
    capitals = {name: "CONFORMANCE" for name in _lowercase_only(op)}
    if capitals and "400" in op.statuses:
        # WordPress matches routes ignoring case, then checks the argument's own pattern: 400.
        send(op, {**path, **capitals}, query, body, credentials)
    if not contract.validates_args(op) and (op.raw.get("parameters") or body is not None) \
            and {"400", "404"} & set(op.statuses):
        # A plugin that checks its input itself: every argument left out.
        send(op, path, {}, {} if body is not None else None, credentials)
    if "400" in op.statuses and (op.raw.get("requestBody") and contract.validates_args(op) or _reads_json(op)):
        # WordPress refuses a JSON body it cannot parse (rest_invalid_json) before anything else, even
        # on a route that takes no body (an ability run by the wrong method: before its 405).
        response = target.http.request(op.method, (site.url if site else target.base_url) + _path(op, path),
                                       params=query, data="{", headers={"Content-Type": "application/json",
                                                                        **credentials})
        if site:
            target.record(op, response.status_code)
    if "400" in op.statuses:
        bad = _invalid(op) if contract.validates_args(op) else None
        if bad:
            where, name = bad
            if where == "query":
                send(op, path, {**query, name: "!invalid"}, body, credentials)
            else:
                send(op, path, query, {**(body if isinstance(body, dict) else {}), name: "!invalid"}, credentials)
        elif query:  # a required argument left out
            first = next(iter(query))
            send(op, path, {k: v for k, v in query.items() if k != first}, body, credentials)
        elif isinstance(body, dict) and body and not path:
            send(op, path, query, {}, credentials)
    if site and not path and body is not None:
        # The create itself, on the disposable site: effects.yaml's body, or the contract's required fields.
        send(op, path, query, body or _value(op.api, _json_body(op) or {}), credentials)


_LISTED: dict = {}


def _existing(op: contract.Operation, credentials: dict) -> dict | None:
    """Path values naming an object the server lists: a GET of ``/things/{id}/...`` reads the first
    item of ``GET /things`` (its field named like the path argument, else its ``id``)."""
    names = re.findall(r"\{(\w+)\}", op.path)
    if len(names) != 1:
        return None
    parent = op.path.split("/{", 1)[0]
    listing = contract.match("GET", parent)
    if listing is None or listing.path != parent or "{" in parent:
        return None
    if parent not in _LISTED:
        answer = TARGET.call(op.api, "GET", parent, auth=credentials, params={"per_page": 1})
        body = answer.json() if answer.status_code == 200 and "json" in answer.headers.get("content-type", "") else None
        _LISTED[parent] = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else None
    item = _LISTED[parent]
    value = item and item.get(names[0], item.get("id"))
    return {names[0]: value} if value not in (None, "") else None


def _reads_json(op: contract.Operation) -> bool:
    """The operation documents WordPress's rest_invalid_json 400 for a body it cannot parse."""
    answer = contract._resolve(op.api, op.raw.get("responses", {}).get("400", {}))
    return "rest_invalid_json" in (answer.get("description") or "")


def _json_body(op: contract.Operation) -> dict | None:
    content = contract._resolve(op.api, op.raw.get("requestBody") or {}).get("content") or {}
    return (content.get("application/json") or {}).get("schema")


def _lowercase_only(op: contract.Operation) -> list[str]:
    """Path arguments whose pattern takes a lower-case word but not the same in capitals."""
    found = []
    for param in op.raw.get("parameters", []):
        param = contract._resolve(op.api, param)
        pattern = (param.get("schema") or {}).get("pattern")
        if param.get("in") == "path" and pattern and re.search(pattern, "conformance") \
                and not re.search(pattern, "CONFORMANCE"):
            found.append(param["name"])
    return found


def _path(op: contract.Operation, values: dict) -> str:
    path = op.path
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _typed(api: str, schema: dict, base=None) -> bool:
    """A value of this schema cannot be the text "!invalid" (a number, an id, an enum)."""
    schema, base = _load(api, schema, base)
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if schema.get("enum"):
        return "!invalid" not in schema["enum"]
    if kinds & {"integer", "number", "boolean"} and "string" not in kinds:
        return True
    return bool(schema.get("pattern")) or any(_typed(api, sub, base) for sub in schema.get("anyOf", schema.get("oneOf", [])))


def _invalid(op: contract.Operation) -> tuple[str, str] | None:
    """An argument WordPress checks against the route's args schema: a query one, or a body field."""
    for param in op.raw.get("parameters", []):
        param = contract._resolve(op.api, param)
        if param.get("in") == "query" and _typed(op.api, param.get("schema")):
            return "query", param["name"]
    content = (contract._resolve(op.api, op.raw.get("requestBody") or {}).get("content") or {})
    media = content.get("application/json") or next(iter(content.values()), None)
    if media:
        schema, base = _load(op.api, media.get("schema") or {})
        for name, prop in (schema.get("properties") or {}).items():
            if _typed(op.api, prop, base):
                return "body", name
    return None
