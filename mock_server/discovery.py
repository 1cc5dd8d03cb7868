"""WordPress's REST discovery: the site index (``/wp-json/``) and one index per namespace
(``/wp-json/mp/v1``, ...), built from the OpenAPI documents in the shape WordPress gives them.

Every OpenAPI path is an instance of a WordPress route (``membermock.wordpress.route_key``). A
route's endpoints are its operations grouped as WordPress registers them: GET; POST, PUT and PATCH, which
share a callback; DELETE. An endpoint's args are the operation's ``x-wp-args`` when the contract
records what the plugin registers (``x-wp-args`` at the top of a document is the default for its
operations), otherwise its query parameters and body fields, described with the keywords WordPress
shows (type, enum, default, bounds, pattern, required).
"""
from __future__ import annotations

from functools import cache

from flask import request

from membermock import contracts, wordpress
from membermock.wordpress import PREFIX, VERBS
from mock_server import operations, wp

ARG_KEYWORDS = ("description", "type", "enum", "default", "minimum", "maximum", "pattern", "format")
_MISSING = object()


def _resolve(api: str, schema: dict, resolver=None, depth: int = 0):
    """A parameter or body schema with its $refs followed (into the contract files too), and the
    resolver its own relative $refs resolve with."""
    if resolver is None:
        resolver = operations.registry().resolver(base_uri=f"{contracts.BASE_URI}openapi/{api}.yaml")
    if not isinstance(schema, dict) or depth > 8:
        return {}, resolver
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema, resolver
    found = resolver.lookup(ref)
    target, inner = _resolve(api, found.contents, found.resolver, depth + 1)
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, inner


def _describe(api: str, schema: dict, required: bool, description: str | None = None, resolver=None) -> dict:
    """One arg as WordPress lists it: its schema keywords, then whether it is required."""
    schema, _ = _resolve(api, schema, resolver)
    out = {}
    text = description or schema.get("description")
    if text:
        out["description"] = text
    kinds = [s.get("type") for s in schema.get("anyOf", []) if isinstance(s, dict) and isinstance(s.get("type"), str)]
    for key in ARG_KEYWORDS[1:]:
        if key in schema:
            out[key] = schema[key]
    if "type" not in out and kinds:
        out["type"] = kinds[0] if len(set(kinds)) == 1 else list(dict.fromkeys(kinds))
    if "const" in schema and "enum" not in out:
        out["enum"] = [schema["const"]]
    out["required"] = required
    return out


def _args(api: str, doc: dict, spec: dict, shared: list):
    declared = spec.get("x-wp-args", doc.get("x-wp-args", _MISSING))
    if declared is not _MISSING:
        return declared if declared else []
    args = {}
    for param in (wordpress.deref(doc, p) for p in shared + spec.get("parameters", [])):
        if param.get("in") == "query":
            args[param["name"]] = _describe(api, param.get("schema", {}), bool(param.get("required")),
                                            param.get("description"))
    body = wordpress.deref(doc, spec.get("requestBody", {}))
    content = (body.get("content") or {}) if isinstance(body, dict) else {}
    media = content.get("application/json") or next(iter(content.values()), None)
    if media:
        schema, resolver = _resolve(api, media.get("schema", {}))
        wanted = set(schema.get("required", []))
        for name, prop in (schema.get("properties") or {}).items():
            args.setdefault(name, _describe(api, prop, name in wanted, resolver=resolver))
    return args or []


def _endpoint_kind(method: str) -> str:
    return method if method in ("GET", "DELETE") else "EDITABLE"


@cache
def routes(api: str) -> dict[str, dict]:
    """The routes one OpenAPI document describes, as WordPress's index lists them (no links yet)."""
    doc = operations.documents()[api]
    found: dict[str, dict] = {}
    for path, item in doc.get("paths", {}).items():
        key = wordpress.route_key(doc, path, item)
        route = found.setdefault(key, {"namespace": wordpress.namespace_of(key), "methods": [], "endpoints": {}})
        declared = item.get("x-wp-endpoints")
        if declared:
            route["declared"] = declared
        for method in VERBS:
            spec = item.get(method.lower())
            if not spec:
                continue
            endpoint = route["endpoints"].setdefault(_endpoint_kind(method), {"methods": [], "args": None})
            endpoint["methods"].append(method)
            if endpoint["args"] is None:
                endpoint["args"] = _args(api, doc, spec, item.get("parameters", []))
    out = {}
    for key, route in found.items():
        endpoints = route.get("declared") or [e for e in route["endpoints"].values() if e["methods"]]
        if not endpoints:
            continue
        methods = [m for m in VERBS if any(m in e["methods"] for e in endpoints)]
        out[key] = {"namespace": route["namespace"], "methods": methods,
                    "endpoints": [{"methods": [m for m in VERBS if m in e["methods"]], "args": e["args"] or []}
                                  for e in endpoints]}
    return out


def _linked(routes_: dict, root: str) -> dict:
    """WordPress links a route to itself when its key has no pattern in it."""
    out = {}
    for key, route in routes_.items():
        out[key] = dict(route)
        if "(?P<" not in key:
            out[key]["_links"] = {"self": [{"href": f"{root}{PREFIX}{key}"}]}
    return out


@cache
def namespaces() -> dict[str, list[str]]:
    """namespace -> the APIs (OpenAPI documents) that describe its routes."""
    found: dict[str, list[str]] = {}
    for api in operations.documents():
        for route in routes(api).values():
            if route["namespace"] and api not in found.setdefault(route["namespace"], []):
                found[route["namespace"]].append(api)
    return found


def _root() -> str:
    return request.url_root.rstrip("/")


def _headers(root: str) -> dict:
    return {"Link": f'<{root}{PREFIX}/>; rel="https://api.w.org/"'}


def namespace_view(call):
    """GET /wp-json/{namespace}: its routes and a link up to the site index."""
    namespace = wordpress.namespace_of(call.op.path.removeprefix(PREFIX))
    root = _root()
    merged = {}
    for api in namespaces()[namespace]:
        merged.update({k: v for k, v in routes(api).items() if v["namespace"] == namespace})
    body = {"namespace": namespace, "routes": _linked(merged, root),
            "_links": {"up": [{"href": f"{root}{PREFIX}/"}]}}
    return wp.reply(body, headers=_headers(root))


def index_view(call):
    """GET /wp-json/: the site, its namespaces (WordPress's own beside the plugins') and every route."""
    root = _root()
    core = call.op.spec.get("x-wp-core-namespaces", [])
    every = {}
    for api in operations.documents():
        every.update(routes(api))
    body = {
        "name": "membermock", "description": "A mocked WordPress site", "url": root, "home": root,
        "gmt_offset": "0", "timezone_string": "",
        "namespaces": list(dict.fromkeys([*core, *namespaces()])),
        "authentication": {"application-passwords": {"endpoints": {
            "authorization": f"{root}/wp-admin/authorize-application.php"}}},
        "routes": _linked(every, root),
        "site_logo": 0, "site_icon": 0, "site_icon_url": "",
        "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
    }
    return wp.reply(body, headers=_headers(root))


# Operations marked x-wp-discovery in the contracts are bound to these views by the app factory.
VIEWS = {"index": index_view, "namespace": namespace_view}
