"""Every operation of the three contracts, driven by schemathesis through the mock app.

Requests are generated from the OpenAPI documents (valid ones: this is the mock's own check, the
conformance suite does the rest); each answer must have a documented status, a body matching its
schema and the right content type, and never a 5xx. Runs are derandomized so CI is repeatable;
set MOCK_EXAMPLES=40 for a deeper local run. Here the contract's examples and generated requests;
schemathesis' "coverage" phase (boundary values of every field, some fifteen times the requests,
built at collection in every test process) runs in tests/mock/test_every_boundary.py, exhaustive.
"""
import base64
import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from conformance.checking import wordpress_null
from membermock import contracts
from mock_server.app import create_app
from mock_server.config import Config

APP = create_app(Config(db=":memory:", seed=3, mp_optional_routes=True))   # every route, the optional ones too
SITE = APP.extensions["membermock"]
ADMIN = base64.b64encode(f"admin:{SITE.config.admin_app_password}".encode()).decode()
HEADERS = {
    "memberpress": {"MEMBERPRESS-API-KEY": SITE.config.mp_api_key},
    "pmpro": {"Authorization": f"Basic {ADMIN}"},
    "wc-memberships": {"Authorization": f"Basic {ADMIN}"},
}
C = schemathesis.checks
# What a single generated call can show. Valid-but-unknown ids rightly answer 404, so
# positive_data_acceptance does not apply; auth rules have their own tests.
CHECKS = [C.not_a_server_error, C.status_code_conformance, C.content_type_conformance,
          C.response_schema_conformance, C.response_headers_conformance]


def _schema(api, coverage):
    schema = schemathesis.openapi.from_path(contracts.openapi_documents()[api])
    schema.config.update(base_url="http://localhost")
    if not coverage:
        schema.config.phases.update(phases=["examples", "fuzzing"])
    schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=int(os.environ.get("MOCK_EXAMPLES", "4")))
    return schema


def _test(api, coverage=False):
    schema = _schema(api, coverage)

    @schema.parametrize()
    @settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              max_examples=int(os.environ.get("MOCK_EXAMPLES", "4")))
    def test(case):
        case.headers = {**(case.headers or {}), **HEADERS[api]}
        case.validate_response(wordpress_null(case.call(app=APP)), checks=CHECKS)

    return test


test_memberpress = _test("memberpress")
test_pmpro = _test("pmpro")
test_wc_memberships = _test("wc-memberships")
