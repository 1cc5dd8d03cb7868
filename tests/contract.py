"""Which operation a request was, and what its answer breaks in that operation's contract.

Built from the OpenAPI documents alone, so it checks answers from any server: the Flask test
client's and a real server process's alike.
"""
import json

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from mock_server import operations

_RULES = Map(
    [Rule(op.flask_rule(), endpoint=(api, op.op_id), methods=[op.method])
     for api in operations.documents() for op in operations.load(api)],
    strict_slashes=False,
)


def problems(method: str, path: str, status: int, text: str, is_json: bool) -> list[str]:
    """Empty when the answer fits the contract, or the request matched no documented route."""
    try:
        (api, op_id), _ = _RULES.bind("localhost").match(path, method=method)
    except HTTPException:
        return []
    body = (json.loads(text) if text else None) if is_json else text  # WordPress sends null as no body
    found = operations.response_problems(operations.find(api, op_id), status, body)
    return [f"{method} {path} -> {status} breaks {op_id}'s contract: {p}" for p in found]


def assert_conforms(response) -> None:
    """For a `requests` response from a real server."""
    req = response.request
    path = req.path_url.split("?", 1)[0]
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    found = problems(req.method, path, response.status_code, response.text, is_json)
    assert not found, found
