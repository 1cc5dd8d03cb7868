"""Every operation, driven by requests schemathesis generates from the OpenAPI documents.

Positive requests (valid by the contract) and negative ones (breaking it) are sent with the
run's credentials; every answer must be no 5xx, have a documented status, content type, body and
headers. A negative request to an operation that documents a 400 must be refused with a 4xx.
The first time a protected operation answers 2xx, the same request is sent without credentials
and must be refused (401/403); operations whose ``security`` lists ``{}`` are public and exempt.
An operation stops early once 10 requests in a row showed no new kind of answer (saturation.py).
"""
from __future__ import annotations

import threading

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from conformance import checking, contract, saturation, schemas, state

TARGET = state.target()
C = schemathesis.checks
_probed: dict[str, str | None] = {}  # operationId -> the failure found, so a replay fails alike
_probe_lock = threading.Lock()


def _auth_probe(case, op: contract.Operation) -> None:
    """A request that worked with credentials must be refused without them."""
    with _probe_lock:
        if op.op_id in _probed:
            if _probed[op.op_id]:
                raise checking.Nonconformance(_probed[op.op_id])
            return
        _probed[op.op_id] = None
    response = case.call(session=TARGET.http, base_url=TARGET.base_url)
    if 200 <= response.status_code < 300:
        _probed[op.op_id] = (
            f"{op.op_id} ({op.label}) -> {response.status_code}: rule 'auth enforced' broken: the request "
            f"succeeded without credentials although the operation is not public (security)\n"
            f"  reproduce: {case.as_curl_command()}")
        raise checking.Nonconformance(_probed[op.op_id])
    checking.validate(case, response)


def _run(api: str, case) -> None:
    __tracebackhide__ = True
    op = contract.of_case(case)
    credentials = TARGET.credentials(api)
    TARGET.defang(case)
    schemas.strip_generated_auth(api, case)
    negative = case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE
    response = case.call(session=TARGET.http, base_url=TARGET.base_url, headers=credentials)
    checks = list(checking.RESPONSE_CHECKS)
    if negative and contract.validates_args(op) and _args_negative(case):
        checks.append(C.negative_data_rejection)
    checking.validate(case, response, checks)
    if credentials and not negative and not op.public and 200 <= response.status_code < 300:
        _auth_probe(case, op)
    saturation.saw(saturation.kind(negative, response))


@pytest.fixture(autouse=True)
def _fresh_saturation():
    """Each operation starts with nothing seen, and no other hypothesis test is cut short."""
    saturation.STATE.reset()
    yield
    saturation.STATE.reset()


def _args_negative(case) -> bool:
    """Broken in a way WordPress's args validation surely sees: a query arg. (Bodies are read
    leniently: a non-object body has no named args, form fields are strings WordPress coerces and
    a string is a valid comma-separated array, so a body negation may rightly be accepted.)"""
    meta = case.meta
    return (meta.is_negative_at(ParameterLocation.QUERY) and not meta.is_negative_at(ParameterLocation.BODY)
            and not meta.is_negative_at(ParameterLocation.HEADER))  # a header negation may be our credentials


def _test(api: str):
    schema = schemas.load(api)

    @pytest.mark.api(api)
    @schema.parametrize()
    @schemas.hypothesis_settings()
    def test(case):
        _run(api, case)

    test.__name__ = f"test_{api.replace('-', '_')}"
    return test


# Only the APIs this run checks: schemathesis analyses a whole document when it collects its tests.
for _api in TARGET.options.apis:
    globals()[f"test_{_api.replace('-', '_')}"] = _test(_api)
