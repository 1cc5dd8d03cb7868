"""Reading back what a write did, as conformance/effects.yaml describes it.

A write's answer can conform to its schema and still have done nothing, or too much; only a read
afterwards shows it. Each resource of effects.yaml is made fresh, changed by each step, read after
each, and deleted; every check names the operation and the rule it broke.
"""
from __future__ import annotations

import re
import uuid
from functools import cache
from pathlib import Path

import yaml


SPEC_PATH = Path(__file__).with_name("effects.yaml")
WHOLE = re.compile(r"^\{([\w.-]+)\}$")
PART = re.compile(r"\{([\w.-]+)\}")


class Broken(AssertionError):
    pass


@cache
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def resources(api: str) -> dict:
    return spec().get(api) or {}


def operations_of(resource: dict) -> list[str]:
    """The operations a resource's test exercises, in order."""
    out = [resource["create"]["op"], resource["read"]["op"]]
    out += [step["op"] for step in resource.get("steps", [])]
    if resource.get("delete"):
        out.append(resource["delete"]["op"])
    return list(dict.fromkeys(out))


# -- templates -----------------------------------------------------------------------------------
def _lookup(name: str, scope: dict):
    head, *rest = name.split(".")
    value = scope[head]
    for part in rest:
        value = value[int(part)] if isinstance(value, (list, tuple)) else value[part]
    return value


def fill(template, scope: dict):
    """Templates of effects.yaml with the test's values; a whole-string template keeps its type."""
    if isinstance(template, dict):
        return {k: fill(v, scope) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, scope) for v in template]
    if isinstance(template, str):
        whole = WHOLE.match(template)
        if whole:
            return _lookup(whole.group(1), scope)
        return PART.sub(lambda m: str(_lookup(m.group(1), scope)), template)
    return template


def new_tag() -> str:
    return uuid.uuid4().hex[:10]


# -- loose comparison, as PHP reads values ----------------------------------------------------------
def norm(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f"{float(value):g}"
    if isinstance(value, str):
        try:
            return f"{float(value):g}" if value.strip() and not value.strip().startswith("0x") else value
        except ValueError:
            return value
    if isinstance(value, dict):
        if "id" in value:
            return norm(value["id"])
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def same(sent, read) -> bool:
    """A sent scalar matches a read object by its id (MemberPress answers ``member`` expanded)."""
    if isinstance(read, dict) and "id" in read and not isinstance(sent, dict):
        return norm(sent) == norm(read["id"])
    return norm(sent) == norm(read)


def at(body, path: str):
    """A dotted path into an answer: "." is the whole answer, "*" maps over a list (or a dict's values)."""
    if path in (".", ""):
        return body
    value = body
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part == "*":
            items = value.values() if isinstance(value, dict) else (value or [])
            rest = ".".join(parts[i + 1:])
            return [at(item, rest) if rest else item for item in items]
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part, _MISSING)
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


_MISSING = object()


def meets(value, want) -> str | None:
    """Why ``value`` does not meet an expectation of effects.yaml, or None."""
    if value is _MISSING:
        return "the field is missing"
    if isinstance(want, dict) and len(want) == 1:
        (kind, arg), = want.items()
        if kind == "in":
            return None if any(norm(value) == norm(a) for a in arg) else f"{value!r} is none of {arg!r}"
        if kind == "set":
            got = sorted(str(norm(v)) for v in (value or []))
            return None if got == sorted(str(norm(a)) for a in arg) else f"{got} where exactly {arg} was set"
        if kind in ("absent", "present"):
            ids = {str(norm(v)) for v in (value or [])}
            there = str(norm(arg)) in ids
            if there == (kind == "present"):
                return None
            return f"{arg!r} {'missing from' if kind == 'present' else 'still in'} {sorted(ids)}"
    return None if same(want, value) else f"{value!r} where {want!r} was expected"


# -- checks ----------------------------------------------------------------------------------------
def check_read(op_id: str, before, after, sent: dict | None, moves, volatile, expect: dict) -> list[str]:
    """What the read after ``op_id`` shows, against what was sent, what stays and what is expected."""
    problems = []
    for field, value in (sent or {}).items():
        got = at(after, field) if isinstance(after, dict) else _MISSING
        if got is _MISSING or not same(value, got):
            problems.append(f"rule 'sent fields read back' broken: {field} sent {value!r}, read back "
                            f"{'nothing' if got is _MISSING else repr(got)}")
    for field, want in expect.items():
        why = meets(at(after, field), want)
        if why:
            problems.append(f"rule 'derived fields follow the plugin' broken: {field}: {why}")
    if moves != "*" and isinstance(before, dict) and isinstance(after, dict):
        skip = set(sent or {}) | set(moves or ()) | set(volatile or ()) | {k.split(".")[0] for k in expect}
        for field, old in before.items():
            if field in skip:
                continue
            new = after.get(field, _MISSING)
            if new is _MISSING or norm(new) != norm(old):
                problems.append(f"rule 'unsent fields unchanged' broken: {field} was {old!r}, now "
                                f"{'missing' if new is _MISSING else repr(new)}")
    return [f"{op_id}: {p}" for p in problems]
