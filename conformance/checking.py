"""Run schemathesis checks on a response and fail with the operation and the rule named."""
from __future__ import annotations

import schemathesis
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response

from conformance import contract

C = schemathesis.checks
# What one generated request can show about any server. Valid-looking ids the server does not
# know rightly answer 404, so positive_data_acceptance is not one of them.
RESPONSE_CHECKS = [C.not_a_server_error, C.status_code_conformance, C.content_type_conformance,
                   C.response_schema_conformance, C.response_headers_conformance]
RULES = {  # schemathesis failure class -> the rule as the report names it
    "ServerError": "no 5xx",
    "UndefinedStatusCode": "status code documented",
    "UndefinedContentType": "content type documented",
    "MissingContentType": "content type documented",
    "MalformedMediaType": "content type documented",
    "JsonSchemaError": "response body conforms",
    "MalformedJson": "response body conforms",
    "ContentDeserializationError": "response body conforms",
    "DiscriminatorMismatch": "response body conforms",
    "MissingHeaders": "response headers conform",
    "AcceptedNegativeData": "invalid request rejected",
    "IgnoredAuth": "auth enforced",
}


# A generated query string or header can outgrow the web server's limits (gunicorn, nginx and
# Apache all answer these); that is the transport, not the API's contract.
TRANSPORT_LIMITS = {414, 431}


class Nonconformance(AssertionError):
    pass


def rule_of(failure) -> str:
    if getattr(failure, "title", "") == "Response header does not conform to the schema":
        return "response headers conform"
    return RULES.get(type(failure).__name__, getattr(failure, "title", type(failure).__name__))


def wordpress_null(response):
    """WordPress's serve_request sends a callback's null as no body at all (still JSON by its
    Content-Type); read such an answer as the JSON null the contracts describe."""
    response = Response.from_any(response)
    if not response.content and any("json" in v for v in response.headers.get("content-type", [])):
        response = Response(response.status_code, response.headers, b"null", response.request, response.elapsed,
                            response.verify, response.message, response.http_version, response.encoding)
    return response


def validate(case, response, checks=RESPONSE_CHECKS) -> None:
    __tracebackhide__ = True
    op = contract.of_case(case)
    if response.status_code in TRANSPORT_LIMITS:
        return  # the web server refused the request's size before the API saw it
    response = wordpress_null(response)
    if response.status_code >= 500 and str(response.status_code) in op.statuses:
        # The contract says the real plugin answers this 5xx here (a PHP error it throws, a failure
        # it reports as 500): conforming, and still checked for its documented body.
        checks = [check for check in checks if check is not C.not_a_server_error]
    try:
        case.validate_response(response, checks=checks)
    except FailureGroup as group:
        lines = []
        for failure in group.exceptions:
            detail = " ".join(str(getattr(failure, "message", "") or failure).split())[:400]
            lines.append(f"{op.op_id} ({op.label}) -> {response.status_code}: rule '{rule_of(failure)}' broken: {detail}")
        curl = case.as_curl_command()
        raise Nonconformance("\n".join(lines) + f"\n  reproduce: {curl}") from None
