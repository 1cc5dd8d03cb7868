"""Every operation of the three contracts through the mock app, with schemathesis' "coverage" phase:
the boundary values of every field (tests/mock/test_every_operation.py has the rest). Some fifteen
times the requests, and built at collection, so exhaustive (`make test-exhaustive`, CI) and not even
collected by `make test` (tests/conftest.py, WHOLLY_EXHAUSTIVE).
"""
import pytest

from tests.mock.test_every_operation import _test

pytestmark = pytest.mark.exhaustive

test_memberpress = _test("memberpress", coverage=True)
test_pmpro = _test("pmpro", coverage=True)
test_wc_memberships = _test("wc-memberships", coverage=True)
