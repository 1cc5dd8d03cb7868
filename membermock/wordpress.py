"""Which WordPress REST route an OpenAPI path is: the mock's discovery routes and the conformance
suite read contract paths the same way.

A route is the path without ``/wp-json``, each path parameter written as WordPress's named group:
``(?P<id>[\\d]+)`` for an integer, the parameter's own pattern otherwise. A path item may name its
route in ``x-wp-route`` instead (the abilities' per-ability paths are all instances of core's two
generic routes).
"""
from __future__ import annotations

import re

PREFIX = "/wp-json"
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_PARAM = re.compile(r"{([^}]+)}")


def deref(doc: dict, node):
    """Follow a document-local $ref (``#/components/...``)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target = doc
        for token in node["$ref"][2:].split("/"):
            target = target[token]
        node = target
    return node


def route_key(doc: dict, path: str, item: dict) -> str:
    declared = item.get("x-wp-route")
    if declared:
        return declared
    params = {p["name"]: p for p in (deref(doc, p) for p in item.get("parameters", []))}
    for method in VERBS:
        for p in item.get(method.lower(), {}).get("parameters", []):
            p = deref(doc, p)
            params.setdefault(p["name"], p)

    def group(match):
        schema = params.get(match.group(1), {}).get("schema", {})
        if schema.get("type") == "integer":
            pattern = r"[\d]+"
        else:
            pattern = schema.get("pattern", "^[^/]+$").removeprefix("^").removesuffix("$")
        return f"(?P<{match.group(1)}>{pattern})"

    return _PARAM.sub(group, path.removeprefix(PREFIX)) or "/"


def namespace_of(route: str) -> str:
    """``/mp/v1/members`` -> ``mp/v1``; the site index route ``/`` has none."""
    parts = route.strip("/").split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 else ""
