"""The request list: complete, unambiguous, and every placeholder names something the site has."""
import json
from pathlib import Path

import pytest

from realsite import scenario
from realsite.requests import all_requests, coverage, resolve

RECORDED = Path(__file__).parent / "recorded"


def test_the_list_covers_what_the_differential_promises():
    assert coverage(all_requests()) == []


def test_every_pmpro_route_as_three_callers_and_each_ability_method():
    reqs = all_requests()
    assert len({r.name for r in reqs}) == len(reqs)
    assert {r.who for r in reqs} >= {"admin", "subscriber", "anonymous", "wrong-password"}
    assert any(r.rest_route for r in reqs) and any(r.path.endswith("/") for r in reqs)
    assert any(r.raw for r in reqs) and any(r.form for r in reqs)


def test_placeholders_resolve_against_the_site_s_ids():
    ids = json.loads((RECORDED / "ids.json").read_text()) if (RECORDED / "ids.json").exists() else {
        "users": {"admin": 1, "alice": 2, "bob": 3, "carol": 4}, "levels": {"free": 1, "gold": 2, "annual": 3},
        "posts": {"gold": 4, "annual": 5, "public": 6}, "discount_codes": {"SAVE50": 1},
        "orders": {"alice": {"id": 1, "code": "AAAA"}, "bob": {"id": 2, "code": "BBBB"}}}
    context = {**scenario.context(ids), "created": {"level": 9, "export": "e", "plan": 300, "membership": 301,
                                                     "ghost_level": 10}}
    for req in all_requests():
        for part in (req.path, req.query, req.json, req.form):
            resolve(part, context)  # raises KeyError for a placeholder nothing fills


def test_a_lone_placeholder_keeps_its_type():
    assert resolve({"a": "{x}", "b": "id={x}", "c": ["{y.z}"]}, {"x": 4, "y": {"z": True}}) == \
        {"a": 4, "b": "id=4", "c": [True]}
    with pytest.raises(KeyError):
        resolve("{missing}", {})
