"""What the suite reads from the OpenAPI documents beyond what schemathesis uses itself.

Per operation: its id, method and path, whether it is public (``security`` lists ``{}``), the
status codes it documents and the links from its answers (used to find what a create made and
which operation deletes it). Also a URL -> operation matcher, so any response seen on the wire
can be credited to the operation it exercised.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from membermock import contracts

API_NAMES = tuple(contracts.openapi_documents())
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Link:
    target: str          # operationId
    parameters: dict     # name -> runtime expression
    body: object = None  # requestBody runtime expression (or literal)


@dataclass(frozen=True)
class Operation:
    api: str
    op_id: str
    method: str          # upper case
    path: str
    public: bool
    statuses: tuple[str, ...]
    links: tuple[Link, ...] = field(default=())
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def document(api: str) -> dict:
    return contracts.openapi(api)


def _public(doc: dict, op: dict) -> bool:
    security = op.get("security", doc.get("security", []))
    return security == [] or any(not requirement for requirement in security)


def _links(op: dict) -> tuple[Link, ...]:
    found = []
    for status, answer in op.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        for link in (answer.get("links") or {}).values():
            found.append(Link(link["operationId"], dict(link.get("parameters") or {}), link.get("requestBody")))
    return tuple(found)


@cache
def operations(api: str) -> tuple[Operation, ...]:
    doc = document(api)
    found = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                found.append(Operation(api, op["operationId"], method.upper(), path, _public(doc, op),
                                       tuple(str(s) for s in op["responses"]), _links(op), op))
    return tuple(found)


@cache
def by_id(api: str) -> dict[str, Operation]:
    return {op.op_id: op for op in operations(api)}


def find(op_id: str) -> Operation:
    for api in API_NAMES:
        if op_id in by_id(api):
            return by_id(api)[op_id]
    raise KeyError(op_id)


@cache
def _url_map() -> Map:
    rules = []
    for api in API_NAMES:
        for op in operations(api):
            rule = op.path.replace("{", "<").replace("}", ">")
            rules.append(Rule(rule, endpoint=(api, op.op_id), methods=[op.method]))
    return Map(rules, strict_slashes=False)


def match(method: str, path: str) -> Operation | None:
    """The documented operation a request was, or None."""
    try:
        (api, op_id), _ = _url_map().bind("localhost").match(path, method=method.upper())
    except HTTPException:
        return None
    return by_id(api)[op_id]


def deleters(op: Operation) -> list[Link]:
    """Links from a create's answer to the operation that removes what it made."""
    table = by_id(op.api)
    return [link for link in op.links
            if table[link.target].method == "DELETE" or "delete" in link.target.lower()]


@cache
def labels() -> dict[str, Operation]:
    """``"GET /wp-json/mp/v1/members"`` -> operation (schemathesis names tests and cases so)."""
    return {op.label: op for api in API_NAMES for op in operations(api)}


def of_case(case) -> Operation:
    """The operation a schemathesis case belongs to."""
    return labels()[f"{case.operation.method.upper()} {case.operation.path}"]


def _resolve(api: str, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target = document(api)
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def validates_args(op: Operation) -> bool:
    """The operation documents WordPress refusing bad args with 400 (rest_invalid_param)."""
    answer = _resolve(op.api, op.raw.get("responses", {}).get("400", {}))
    return "rest_invalid_param" in (answer.get("description") or "")


@cache
def auth_headers(api: str) -> tuple[str, ...]:
    """Header names the API's security schemes use (generated values for them are dropped)."""
    names = []
    for scheme in document(api).get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            names.append(scheme["name"].lower())
        elif scheme.get("type") == "http":
            names.append("authorization")
    return tuple(names)


def siblings(op: Operation) -> tuple[str, ...]:
    return _siblings(op.api, op.op_id)


@cache
def _siblings(api: str, op_id: str) -> tuple[str, ...]:
    """Paths whose objects ``op`` may act on: its own, and those of the operations a create links
    to alongside it (PMPro's level routes share one path; an ability's get and delete runs do not)."""
    op = by_id(api)[op_id]
    paths = {op.path}
    for create in operations(op.api):
        targets = [by_id(op.api)[link.target] for link in create.links]
        if any(t.path == op.path for t in targets):
            paths.update(t.path for t in targets)
    return tuple(sorted(paths))


def _deletable(link: Link) -> bool:
    target = find(link.target)
    return (target.raw.get("x-pmpro-capabilities") or {}).get("enabled_by_default", True)


def irreversible(op: Operation) -> bool:
    """A write whose answer names a new object (links read ``$response.body``) that no operation
    enabled by default can delete: PMPro's levels (DELETE is off until a site enables it), discount
    codes and exports; or an update the contract marks ``x-creates-unknown`` (PMPro's PUT/PATCH of a
    level or code insert one when the id or code names nothing, as a generated one does). Generated
    requests to these would leave objects behind on a real site."""
    if op.method == "GET":
        return False
    if op.raw.get("x-creates-unknown"):
        return True
    names_new = any(str(v).startswith("$response.body") for link in op.links for v in link.parameters.values())
    return names_new and not any(_deletable(link) for link in deleters(op))
