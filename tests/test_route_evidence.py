"""docs/memberpress-rest.md says, per route, which source shows it; the contract's x-evidence is
the same table, and every MemberPress path carries one."""
import re
from pathlib import Path

from membermock import contracts

DOC = Path(__file__).resolve().parent.parent / "docs" / "memberpress-rest.md"
COLUMNS = ("seeds", "reference", "add-on code")
ROW = re.compile(r"^\| `(/[^`]*)` \| ([A-Z, ]+) \| (yes|-) \| (yes|-) \| (yes|-) \|$")


def test_evidence_table_matches_the_contract():
    doc = contracts.openapi("memberpress")
    rows = {m.group(1): m for m in map(ROW.match, DOC.read_text(encoding="utf-8").splitlines()) if m}
    listed = {}
    for path, item in doc["paths"].items():
        assert item.get("x-evidence"), f"{path} says nothing of its evidence"
        route = path.removeprefix("/wp-json/mp/v1")
        if not route:
            assert item["x-evidence"] == ["WordPress core"]
            continue
        assert route in rows, f"{route} missing from the table in {DOC.name}"
        row = rows[route]
        methods = [m.upper() for m in ("get", "post", "put", "patch", "delete") if m in item]
        assert row.group(2).split(", ") == methods, route
        listed[route] = {c for c, mark in zip(COLUMNS, row.groups()[2:]) if mark == "yes"}
        assert listed[route] == set(item["x-evidence"]), route
    assert set(rows) == set(listed), "the table lists routes the contract lacks"
    assert any("reference" in found and "seeds" not in found for found in listed.values())
