"""The abilities and categories the plugin registers, built once from the contracts.

What an ability *is* (name, category, annotations, input and output schema, which method its run
route wants) is read from ``schemas/openapi/wc-memberships.yaml`` and the ``schemas/wc`` files it
points to. Only the human text the plugin registers (labels, descriptions) and the order the
plugin registers things in live here: the contracts do not state them.

The listing shows each schema in the WordPress dialect the plugin registers, derived from the
converted 2020-12 contract by ``wp_dialect`` (see docs/wc-memberships.md, "Mock behaviour").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

from membermock import contracts
from mock_server import operations

API = "wc-memberships"
NAMESPACE = "wp-abilities/v1"

# Label and description of each ability, in the order the plugin's Provider registers them
# (wp_get_abilities() lists in registration order).
ABILITY_TEXT = {
    "woocommerce-memberships/plans-create": ("Create Membership Plan", "Creates a membership plan from the given settings."),
    "woocommerce-memberships/plans-delete": ("Delete Membership Plan", "Deletes one membership plan, given its ID."),
    "woocommerce-memberships/plans-get": ("Get Membership Plan", "Fetches one membership plan, given its ID."),
    "woocommerce-memberships/plans-list": ("List Membership Plans", "Lists membership plans; takes WP_Query arguments."),
    "woocommerce-memberships/user-memberships-create": ("Create User Membership", "Gives a user a membership in a plan."),
    "woocommerce-memberships/user-memberships-delete": ("Delete User Membership", "Deletes one user membership, given its ID."),
    "woocommerce-memberships/user-memberships-get": ("Get User Membership", "Fetches one user membership, given its ID."),
    "woocommerce-memberships/user-memberships-list": ("List User Memberships", "Lists the memberships one user holds."),
}
CATEGORY_TEXT = {
    "woocommerce-membership-plans": ("WooCommerce Membership Plans", "Abilities that work on membership plans."),
    "woocommerce-user-memberships": ("WooCommerce User Memberships", "Abilities that work on the memberships users hold."),
}


@dataclass(frozen=True)
class Ability:
    name: str
    label: str
    description: str
    category: str
    annotations: dict            # readonly / destructive / idempotent
    method: str                  # the one HTTP method its run route accepts
    input_name: str              # contract name of the input schema (2020-12)
    output_name: str
    input_schema: dict           # as listed: WordPress dialect
    output_schema: dict


@dataclass(frozen=True)
class Category:
    slug: str
    label: str
    description: str
    meta: list | dict


def _schema_name(ref: str, base: str) -> str:
    """``../wc/abilities/plans-get-input.json`` (relative to the OpenAPI file) → contract name."""
    absolute = urljoin(base, ref)
    return contracts.name_of(contracts.SCHEMA_ROOT / absolute[len(contracts.BASE_URI):])


def _ability_name(path: str) -> str | None:
    match = re.search(r"/abilities/([a-z0-9-]+/[a-z0-9-]+)(?:/run)?$", path)
    return match.group(1) if match else None


def _consts(schema: dict) -> dict:
    """name, category and annotation consts of a describe-operation's 200 schema (allOf[1])."""
    part = next((s for s in schema.get("allOf", []) if "properties" in s), {})
    props = part.get("properties", {})
    notes = props.get("meta", {}).get("properties", {}).get("annotations", {}).get("properties", {})
    return {
        "name": props.get("name", {}).get("const"),
        "category": props.get("category", {}).get("const"),
        "annotations": {k: v["const"] for k, v in notes.items() if "const" in v},
    }


def _run_io(op, base: str) -> tuple[str, str]:
    """Input and output contract names of the run operation that answers 200."""
    out = op.spec["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    param = next((p for p in op._raw_params if p["name"] == "input"), None)
    if param is not None:
        inp = param["schema"]["$ref"]
    else:
        inp = op.spec["requestBody"]["content"]["application/json"]["schema"]["properties"]["input"]["$ref"]
    return _schema_name(inp, base), _schema_name(out, base)


@cache
def abilities() -> dict[str, Ability]:
    base = operations._uri(API)
    described, runs = {}, {}
    for op in operations.load(API):
        name = _ability_name(op.path)
        if not name:
            continue
        if op.path.endswith("/run"):
            if "200" in op.spec.get("responses", {}):
                runs[name] = op
        elif op.method == "GET":
            described[name] = _consts(op.spec["responses"]["200"]["content"]["application/json"]["schema"])
    found = {}
    for name, (label, description) in ABILITY_TEXT.items():
        facts, run = described[name], runs[name]
        notes = dict(facts["annotations"])
        # An annotation the contract leaves open follows from the method the run route wants.
        notes.setdefault("readonly", run.method == "GET")
        notes.setdefault("destructive", run.method == "DELETE")
        notes.setdefault("idempotent", run.method in ("GET", "DELETE"))
        assert expected_method(notes) == run.method, name
        input_name, output_name = _run_io(run, base)
        found[name] = Ability(
            name=name, label=label, description=description, category=facts["category"],
            annotations={k: notes[k] for k in ("readonly", "destructive", "idempotent")},
            method=run.method, input_name=input_name, output_name=output_name,
            input_schema=wp_dialect(contracts.schema(input_name), top_level_input=True),
            output_schema=wp_dialect(contracts.schema(output_name)),
        )
    assert set(described) == set(found), "ABILITY_TEXT and the OpenAPI document disagree"
    return found


@cache
def categories() -> dict[str, Category]:
    used = {a.category for a in abilities().values()}
    assert used == set(CATEGORY_TEXT), "CATEGORY_TEXT and the OpenAPI document disagree"
    return {slug: Category(slug, label, text, []) for slug, (label, text) in CATEGORY_TEXT.items()}


def expected_method(annotations: dict) -> str:
    """validate_request_method in core's run controller."""
    if annotations.get("readonly"):
        return "GET"
    if annotations.get("destructive") and annotations.get("idempotent"):
        return "DELETE"
    return "POST"


# -- the WordPress dialect of a contract schema --------------------------------------------

_DROP = {"$schema", "$id", "$defs", "$ref", "if", "then", "else", "not", "allOf", "dependentRequired", "const"}


def wp_dialect(schema: dict, top_level_input: bool = False) -> dict:
    """The schema as a plugin writes it for rest_validate_value_from_schema.

    References are inlined, ``allOf`` parts merged, JSON Schema keywords WordPress does not know
    (if/then/else, not, const, $defs) dropped, a bare ``enum`` gets its type, and ``required``
    lists become ``"required": true`` on each property. The root's title and description are the
    contract's own notes, not the plugin's, so they are left out. A scalar input is marked
    required as a whole, as the plugin writes it (the converted contract dropped that flag).
    """
    resolver = contracts.registry().resolver(base_uri=schema["$id"])
    out = _convert(schema, resolver)
    out.pop("title", None)
    out.pop("description", None)
    if top_level_input and out.get("type") not in ("object", "array") and "default" not in out:
        out["required"] = True
    return out


def _convert(node, resolver):
    if isinstance(node, list):
        return [_convert(v, resolver) for v in node]
    if not isinstance(node, dict):
        return node
    while "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        resolver = resolved.resolver
        target = resolved.contents
        if "$id" in target:  # a whole file: its title and description describe the file, not this field
            target = {k: v for k, v in target.items() if k not in ("title", "description")}
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    out: dict = {}
    required: list = list(node.get("required", [])) if isinstance(node.get("required"), list) else []
    for part in node.get("allOf", []):
        merged = _convert(part, resolver)
        for key, value in merged.items():
            if key == "properties":
                out.setdefault("properties", {}).update(value)
            elif key not in out:
                out[key] = value
        required += [n for n, p in merged.get("properties", {}).items() if p.get("required") is True]
    for key, value in node.items():
        if key in _DROP or key == "required":
            continue
        if key in ("properties", "patternProperties"):
            out.setdefault(key, {}).update({k: _convert(v, resolver) for k, v in value.items()})
        elif key in ("items", "additionalProperties", "anyOf", "oneOf"):
            out[key] = _convert(value, resolver)
        else:
            out[key] = value
    if "enum" in out and "type" not in out:
        kinds = {contracts.json_type(v) for v in out["enum"]}
        out["type"] = kinds.pop() if len(kinds) == 1 else sorted(kinds)
    for name in required:
        if name in out.get("properties", {}):
            out["properties"][name] = {**out["properties"][name], "required": True}
    return out


