"""Webhook bodies live MemberPress sites sent (tests/captured) are accepted by the contracts.

They differ from the event document's samples the way live sites do (flags as "1", numbers as
strings, fields the document lacks such as trial_total or limit_cycles_expires_after), which is
what the contracts must take; tests/near_misses/surface.py breaks them one rule at a time.
"""
import json
from pathlib import Path

import pytest

from membermock import contracts

ROOT = Path(__file__).resolve().parent / "captured"
SOURCES = json.loads((ROOT / "sources.json").read_text(encoding="utf-8"))["samples"]


def test_every_captured_file_has_its_source():
    files = {str(p.relative_to(ROOT)) for p in ROOT.rglob("*.json") if p.name != "sources.json"}
    assert files == {s["file"] for s in SOURCES}
    assert all(s["repository"] and len(s["commit"]) == 40 and s["cleaning"] for s in SOURCES)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s["file"])
def test_captured_body_is_valid(source):
    body = json.loads((ROOT / source["file"]).read_text(encoding="utf-8"))
    for name in (source["schema"], "memberpress.event"):
        found = contracts.problems(name, body)
        assert not found, (name, [str(p) for p in found])


def test_captured_bodies_are_live_shapes():
    """What makes them worth keeping: the shapes the event document never shows."""
    body = json.loads((ROOT / "memberpress/offline-payment-complete.json").read_text(encoding="utf-8"))
    membership = body["data"]["membership"]
    assert membership["is_highlighted"] == "1" and membership["trial_amount"] == "0"
    assert "limit_cycles_expires_after" in membership and "trial_total" in body["data"]["subscription"]
    assert isinstance(membership["id"], int) and isinstance(body["data"]["id"], str)
