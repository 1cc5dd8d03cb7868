"""Routes, parameters and bodies come from the OpenAPI documents, compiled once at start-up.

Each operation becomes a Flask rule bound to the handler named by its ``operationId``; its
query/path parameters and request body get validators built from the same schema files the
contracts use (the OpenAPI documents join the ``referencing`` registry under their own URI),
so the mock never restates a route, a parameter or a type.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from membermock import contracts

METHODS = ("get", "post", "put", "patch", "delete")
_TEMPLATE = re.compile(r"{([^}]+)}")


@dataclass
class Param:
    name: str
    where: str                     # "query" or "path"
    required: bool
    validator: Draft202012Validator
    style_deep: bool = False       # deepObject: input[a]=1 → {"a": "1"}


@dataclass
class Operation:
    api: str
    op_id: str
    method: str
    path: str                      # OpenAPI template, e.g. /wp-json/mp/v1/members/{id}
    spec: dict
    params: list[Param] = field(default_factory=list)
    body: dict[str, Draft202012Validator] = field(default_factory=dict)   # media type → validator
    body_required: bool = False

    @property
    def extensions(self) -> dict:
        return {k: v for k, v in self.spec.items() if k.startswith("x-")}

    def flask_rule(self) -> str:
        def conv(match):
            name = match.group(1)
            schema = self.spec_param_schema(name)
            return f"<int:{name}>" if schema.get("type") == "integer" else f"<{name}>"
        return _TEMPLATE.sub(conv, self.path)

    def spec_param_schema(self, name: str) -> dict:
        for p in self._raw_params:
            if p["name"] == name:
                return p.get("schema", {})
        return {}

    _raw_params: list = field(default_factory=list, repr=False)


def _uri(api: str) -> str:
    return f"{contracts.BASE_URI}openapi/{api}.yaml"


@cache
def documents() -> dict[str, dict]:
    return {api: contracts.openapi(api) for api in contracts.openapi_documents()}


@cache
def registry():
    """The contract registry plus each OpenAPI document, so their relative $refs resolve."""
    resources = [(_uri(api), Resource.from_contents(doc, default_specification=DRAFT202012))
                 for api, doc in documents().items()]
    return contracts.registry().with_resources(resources)


def _absolute(node, base: str):
    """Rewrite relative $refs against the document URI, so a sub-schema compiles on its own."""
    if isinstance(node, dict):
        return {k: (urljoin(base, v) if k == "$ref" and isinstance(v, str) else _absolute(v, base))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute(v, base) for v in node]
    return node


def _deref(doc: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target = doc
        for token in node["$ref"][2:].split("/"):
            target = target[token]
        node = target
    return node


def compile_schema(api: str, schema: dict) -> Draft202012Validator:
    return Draft202012Validator(
        _absolute(schema, _uri(api)),
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def load(api: str) -> tuple[Operation, ...]:
    """The operations of one API, compiled once per process."""
    doc = documents()[api]
    ops = []
    for path, item in doc.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            spec = item.get(method)
            if not spec:
                continue
            raw = [_deref(doc, p) for p in shared + spec.get("parameters", [])]
            op = Operation(api, spec["operationId"], method.upper(), path, spec, _raw_params=raw)
            for p in raw:
                if p["in"] not in ("query", "path"):
                    continue
                op.params.append(Param(
                    p["name"], p["in"], bool(p.get("required")),
                    compile_schema(api, p.get("schema", {})),
                    style_deep=p.get("style") == "deepObject",
                ))
            body = _deref(doc, spec.get("requestBody", {})) if spec.get("requestBody") else None
            if body:
                op.body_required = bool(body.get("required"))
                for media, content in body.get("content", {}).items():
                    op.body[media] = compile_schema(api, content.get("schema", {}))
            ops.append(op)
    return tuple(ops)


# -- turning request strings into the values a schema wants --------------------------------

def candidates(value):
    """The raw value first, then what WordPress's sanitizers would make of a string."""
    yield value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            yield int(text)
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            yield float(text)
        lowered = text.lower()
        if lowered in ("true", "1"):
            yield True
        if lowered in ("false", "0", ""):
            yield False
        if "," in text or text:
            yield [part.strip() for part in text.split(",")] if text else []
        if text[:1] in "[{":
            try:
                yield json.loads(text)
            except ValueError:
                pass


def coerce(validator: Draft202012Validator, value):
    """The first reading of ``value`` the schema accepts, or None and the reason it fails."""
    for candidate in candidates(value):
        if validator.is_valid(candidate):
            return candidate, None
    error = best_match(validator.iter_errors(value))
    if error is None:
        return None, "is invalid"
    leaf = next(contracts.leaves(error))
    return None, leaf.message


def response_problems(op: Operation, status: int, payload) -> list[str]:
    """What is wrong with a response of ``op``: an undocumented status, or a body off its schema."""
    responses = op.spec.get("responses", {})
    spec = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if spec is None:
        return [f"status {status} is not documented for {op.op_id} (documented: {sorted(responses)})"]
    validator = _response_validator(op.api, op.op_id, str(status) if str(status) in responses else
                                    (f"{str(status)[0]}XX" if f"{str(status)[0]}XX" in responses else "default"))
    if validator is None:
        return []
    return [str(p) for p in contracts.problems_of(validator, payload)]


@cache
def _response_validator(api: str, op_id: str, key: str):
    op = next(o for o in load(api) if o.op_id == op_id)
    doc = documents()[api]
    spec = _deref(doc, op.spec["responses"][key])
    content = spec.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    if not media or "schema" not in media:
        return None
    return compile_schema(api, media["schema"])


def find(api: str, op_id: str) -> Operation:
    return next(o for o in load(api) if o.op_id == op_id)

