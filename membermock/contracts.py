"""Load the JSON Schemas under ``schemas/`` once and hand out compiled validators.

Every schema is addressed two ways: by its ``$id`` (so ``$ref``s between files resolve
offline through a ``referencing`` registry, never over the network) and by a short *name*
derived from its path: ``schemas/memberpress/events/login.json`` is
``memberpress.events.login``. Names are what the CLI, the mock and the tests use; nothing
else maps names to files.

A file is read when a schema is asked for, and a validator is built over the schemas its
``$ref``s reach, not over all of them: ``membermock validate`` runs in shell loops, once per
file, and its start-up is most of its time. Users that need every contract (the mock, the
conformance suite) get the full ``registry()``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag, urljoin

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_ROOT = Path(__file__).resolve().parent.parent / "schemas"
BASE_URI = "https://membermock.example/schemas/"
OPENAPI_DIR = SCHEMA_ROOT / "openapi"
CONTROL_DOCUMENT = SCHEMA_ROOT / "control" / "openapi.yaml"   # the mock's own /__mock__ API
CONTROL_URI = BASE_URI + "control/openapi.yaml"

# Fragments that describe a value, not a payload anyone sends; validate --list hides them.
FRAGMENT_PREFIXES = ("common.",)


def name_of(path: Path) -> str:
    rel = path.relative_to(SCHEMA_ROOT).with_suffix("")
    return ".".join(rel.parts)


@cache
def _paths() -> dict[str, Path]:
    return {name_of(path): path for path in sorted(SCHEMA_ROOT.rglob("*.json")) if OPENAPI_DIR not in path.parents}


def names(include_fragments: bool = False) -> list[str]:
    return [
        n for n in _paths()
        if include_fragments or not n.startswith(FRAGMENT_PREFIXES)
    ]


@cache
def schema(name: str) -> dict:
    try:
        path = _paths()[name]
    except KeyError:
        raise UnknownSchema(name) from None
    return json.loads(path.read_text(encoding="utf-8"))


def _resource(name: str) -> tuple[str, Resource]:
    doc = schema(name)
    return doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)


@cache
def registry() -> Registry:
    """Every contract, for the mock and the conformance suite."""
    return Registry().with_resources(_resource(n) for n in _paths()).crawl()


_REF = re.compile(r'"\$ref":\s*"([^"#]+)')


def reached(name: str) -> list[str]:
    """``name`` and every schema its ``$ref``s lead to, directly or not."""
    found, todo = [name], [name]
    while todo:
        current = todo.pop()
        base = schema(current)["$id"]
        for ref in _REF.findall(_paths()[current].read_text(encoding="utf-8")):
            uri = urldefrag(urljoin(base, ref)).url
            if uri.startswith(BASE_URI):
                target = ".".join(Path(uri[len(BASE_URI):]).with_suffix("").parts)
                if target in _paths() and target not in found:
                    found.append(target)
                    todo.append(target)
    return found


@cache
def validator(name: str) -> Draft202012Validator:
    schema(name)  # UnknownSchema early
    return Draft202012Validator(
        schema(name),
        registry=Registry().with_resources(_resource(n) for n in reached(name)).crawl(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@dataclass(frozen=True)
class Problem:
    """One broken rule: where in the instance, which keyword, and what went wrong."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


def _pointer(parts) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def leaves(error):
    """The deepest errors under an anyOf/oneOf, so a report names the field, not the branch."""
    if error.context:
        best = max(error.context, key=lambda e: len(e.absolute_path))
        if len(best.absolute_path) > len(error.absolute_path):
            deepest = [e for e in error.context if len(e.absolute_path) == len(best.absolute_path)]
            for e in deepest:
                yield from leaves(e)
            return
    yield error


def problems(name: str, instance) -> list[Problem]:
    return problems_of(validator(name), instance)


def problems_of(checker: Draft202012Validator, instance) -> list[Problem]:
    """Every broken rule, reported at the deepest place it applies, sorted by path."""
    found = []
    for error in checker.iter_errors(instance):
        for leaf in leaves(error):
            found.append(Problem(_pointer(leaf.absolute_path), str(leaf.validator), leaf.message))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda p: (p.path, p.rule))


def is_valid(name: str, instance) -> bool:
    return validator(name).is_valid(instance)


def json_type(value) -> str:
    """The JSON Schema type name of a Python value (``True`` is a boolean, not an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@cache
def openapi(api: str) -> dict:
    """One API's OpenAPI document, parsed once per process."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when present: 5x faster, same result
    return yaml.load(openapi_documents()[api].read_text(encoding="utf-8"), Loader=loader)


def openapi_documents() -> dict[str, Path]:
    return {p.stem: p for p in sorted(OPENAPI_DIR.glob("*.yaml"))}


def _relaxed(node):
    """A schema with every ``required`` gone, at every depth, and with the anyOf/oneOf that only
    said which fields are required. What a ``not`` forbids and what an ``if`` tests stay as they are."""
    if isinstance(node, list):
        return [_relaxed(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: v if k in ("not", "if") else _relaxed(v) for k, v in node.items() if k != "required"}
    for keyword in ("anyOf", "oneOf"):
        if keyword in node and any(not set(branch) - {"required"} for branch in node[keyword]):
            out.pop(keyword)
    return out


@cache
def _relaxed_registry() -> Registry:
    resources = [(doc["$id"], Resource.from_contents(_relaxed(doc), default_specification=DRAFT202012))
                 for doc in map(schema, _paths())]
    control_doc = Resource.from_contents(_relaxed(control()), default_specification=DRAFT202012)
    return Registry().with_resources(resources).with_resource(CONTROL_URI, control_doc).crawl()


@cache
def partial_validator(name: str) -> Draft202012Validator:
    """The contract with every field optional, nested ones included: for objects a user describes
    in part (a scenario), whose missing fields the mock fills with the plugin's defaults."""
    return Draft202012Validator({"$ref": schema(name)["$id"]}, registry=_relaxed_registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def control() -> dict:
    """The control API's OpenAPI document: its routes and the schemas of faults, sites, scenarios."""
    import yaml

    return yaml.safe_load(CONTROL_DOCUMENT.read_text(encoding="utf-8"))


@cache
def control_validator(component: str, partial: bool = False) -> Draft202012Validator:
    """A validator for ``#/components/schemas/<component>`` of the control document (with every
    field optional, nested contracts included, when ``partial``)."""
    return control_validator_at(f"/components/schemas/{component}", partial)


@cache
def control_validator_at(pointer: str, partial: bool = False) -> Draft202012Validator:
    """A validator for any JSON pointer into the control document (a route's body, one field of it)."""
    if partial:
        resources = _relaxed_registry()
    else:
        resources = registry().with_resource(CONTROL_URI, Resource.from_contents(
            control(), default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{CONTROL_URI}#{pointer}"}, registry=resources,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


class UnknownSchema(KeyError):
    def __str__(self) -> str:
        return f"unknown schema {self.args[0]!r}; `membermock validate --list` prints the names"
