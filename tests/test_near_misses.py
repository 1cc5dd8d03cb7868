"""Each contract rejects realistic near-misses, and says where and why in a readable way."""
import importlib
import pkgutil

import pytest

import tests.near_misses as pkg
from membermock import contracts
from tests.near_misses.miss import Miss

CASES: list[Miss] = [
    case
    for info in pkgutil.iter_modules(pkg.__path__)
    if info.name != "miss"
    for case in importlib.import_module(f"{pkg.__name__}.{info.name}").CASES
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_base_is_valid(case):
    base = case._base()
    assert contracts.problems(case.schema, base) == [], "the near-miss must start from a valid payload"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_near_miss_is_rejected_for_its_rule(case):
    found = contracts.problems(case.schema, case.payload())
    assert found, f"{case} was accepted"
    assert case.rule in {p.rule for p in found}, [str(p) for p in found]
    for problem in found:
        assert problem.path.startswith("$") and problem.message


def test_every_contract_has_near_misses():
    covered = {case.schema for case in CASES}
    missing = [n for n in contracts.names() if n not in covered]
    assert not missing, f"contracts without a near-miss case: {missing}"
