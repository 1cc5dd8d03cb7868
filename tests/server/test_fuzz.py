"""schemathesis fuzzing of every operation against a real server: valid and invalid requests alike
get no 5xx, and every answer keeps its own contract (documented status, schema, content type).

Derandomized, a few examples per operation and mode; MOCK_EXAMPLES raises the count locally.
Generating invalid requests for every operation takes minutes on two cores, so this runs in
`make test-all` (CI runs it); `tests/mock/test_every_operation.py` covers valid ones in `make test`.
"""
import base64
import os

import pytest

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from conformance import checking
from membermock import contracts
from tests.server.harness import ADMIN_PASSWORD, API_KEY

EXAMPLES = int(os.environ.get("MOCK_EXAMPLES", "3"))
ADMIN = base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
HEADERS = {
    "memberpress": {"MEMBERPRESS-API-KEY": API_KEY},
    "pmpro": {"Authorization": f"Basic {ADMIN}"},
    "wc-memberships": {"Authorization": f"Basic {ADMIN}"},
}
pytestmark = pytest.mark.exhaustive
C = schemathesis.checks
CHECKS = [C.not_a_server_error, C.status_code_conformance, C.content_type_conformance,
          C.response_schema_conformance]


def _test(api):
    schema = schemathesis.openapi.from_path(contracts.openapi_documents()[api])
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES)

    @schema.parametrize()
    @settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, max_examples=EXAMPLES,
              database=None)
    def test(case, server):
        case.headers = {**(case.headers or {}), **HEADERS[api]}
        # The conformance suite's own reading: WordPress sends a callback's null as an empty body.
        checking.validate(case, case.call(base_url=server.base), CHECKS)

    return test


test_memberpress = _test("memberpress")
test_pmpro = _test("pmpro")
test_wc_memberships = _test("wc-memberships")
