"""The WooCommerce Memberships ability inputs were converted by hand from the WordPress schema
dialect (seed 002) to JSON Schema 2020-12. Check the conversion instead of trusting it: every
property, type, enum, format, bound, default and required flag of each WordPress original (read
from the sample corpus) must reappear in its converted contract, and nothing may be added.
"""
import json
import re

import pytest

from membermock import contracts
from tests.samples.corpus import SAMPLES_DIR, load_manifest

CONVERTED = re.compile(r"converted: (\S+)")
ORIGINALS = [
    e for e in load_manifest()
    if e["schema"] == "wordpress.rest-schema" and CONVERTED.search(e.get("note", ""))
]
ABILITIES = {"plans-create", "plans-get", "plans-list", "plans-delete", "user-memberships-create",
             "user-memberships-get", "user-memberships-list", "user-memberships-delete"}
# Keywords whose value must carry over unchanged (descriptions and titles are rewritten on purpose).
# Defaults dropped on purpose because they break their own schema (WordPress answers 400 to a
# call that falls back on them); test_dropped_defaults_are_invalid_inputs keeps this honest.
DROPPED_DEFAULTS = {"wc.abilities.user-memberships-list-input": "$"}
KEPT = ("enum", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
        "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "additionalProperties")


def test_every_ability_input_has_a_converted_contract():
    converted = {CONVERTED.search(e["note"]).group(1) for e in ORIGINALS}
    assert converted == {f"wc.abilities.{a}-input" for a in ABILITIES}
    assert set(converted) <= set(contracts.names())


@pytest.mark.parametrize("entry", ORIGINALS, ids=lambda e: e["file"])
def test_conversion_keeps_the_original(entry):
    original = json.loads((SAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))
    name = CONVERTED.search(entry["note"]).group(1)
    converted = contracts.schema(name)
    found = [d for d in _differences(original, converted, converted, "$")
             if not (DROPPED_DEFAULTS.get(name) and d.startswith(f"{DROPPED_DEFAULTS[name]}: default "))]
    assert not found, "\n".join(found)


def test_dropped_defaults_are_invalid_inputs():
    for entry in ORIGINALS:
        name = CONVERTED.search(entry["note"]).group(1)
        if name in DROPPED_DEFAULTS:
            original = json.loads((SAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))
            default = {} if original["default"] == [] else original["default"]
            assert not contracts.is_valid(name, default)


def test_a_required_scalar_input_may_not_be_missing():
    """`"required": true` on a whole (integer) input: WordPress rejects a missing input (null)."""
    for entry in ORIGINALS:
        original = json.loads((SAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))
        if original.get("required") is True:
            assert not contracts.is_valid(CONVERTED.search(entry["note"]).group(1), None)


def _deref(schema, root):
    """Follow local ``#/...`` references (the converted files share rule shapes via $defs)."""
    while isinstance(schema, dict) and schema.get("$ref", "").startswith("#/"):
        node = root
        for part in schema["$ref"][2:].split("/"):
            node = node[part]
        schema = node
    return schema


def _types(schema):
    t = schema.get("type")
    return set(t) if isinstance(t, list) else {t} if t else set()


def _differences(wp, conv, root, path):
    conv = _deref(conv, root)
    if _types(wp) != _types(conv):
        yield f"{path}: type {sorted(_types(wp))} became {sorted(_types(conv))}"
    for keyword in KEPT:
        if keyword in wp and wp[keyword] != conv.get(keyword):
            yield f"{path}: {keyword} {wp[keyword]!r} became {conv.get(keyword)!r}"
        if keyword not in wp and keyword in conv and keyword != "additionalProperties":
            yield f"{path}: {keyword} was added"
    if "default" in wp:
        expected = {} if wp["default"] == [] and "object" in _types(wp) else wp["default"]
        if conv.get("default") != expected:
            yield f"{path}: default {wp['default']!r} became {conv.get('default')!r}"
    if "properties" in wp:
        wp_props, conv_props = wp["properties"], conv.get("properties", {})
        if set(wp_props) != set(conv_props):
            yield f"{path}: properties {sorted(wp_props)} became {sorted(conv_props)}"
        wanted = {k for k, v in wp_props.items() if v.get("required") is True}
        if wanted != set(conv.get("required", [])):
            yield f"{path}: required {sorted(wanted)} became {sorted(conv.get('required', []))}"
        for key in wp_props.keys() & conv_props.keys():
            yield from _differences(wp_props[key], conv_props[key], root, f"{path}.{key}")
    if "items" in wp:
        if "items" not in conv:
            yield f"{path}: items dropped"
        else:
            yield from _differences(wp["items"], conv["items"], root, f"{path}[]")
