"""A mock site per test, and a client that checks every answer against the contract it claims."""
import base64
import json

import pytest
from werkzeug.exceptions import HTTPException

from mock_server import operations
from mock_server.app import API_MODULES, create_app
from mock_server.config import Config

API_OF = {}
for name in API_MODULES:
    module = __import__(name, fromlist=["API"])
    for op in operations.load_cached(module.API):
        API_OF[op.op_id] = module.API


class ContractClient:
    """Flask's test client plus: auth shortcuts and a contract check of every response."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.site = app.extensions["membermock"]
        self.mp_key = self.site.config.mp_api_key

    def basic(self, login: str) -> dict:
        user = self.site.user_by("user_login", login)
        token = base64.b64encode(f"{login}:{user['app_password']}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def mp(self) -> dict:
        return {"MEMBERPRESS-API-KEY": self.mp_key}

    def request(self, method: str, url: str, check: bool = True, **kwargs):
        response = self.client.open(url, method=method, **kwargs)
        if check:
            self.check(method, response)
        return response

    def check(self, method, response):
        path = response.request.path
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(path, method=method)
        except HTTPException:
            return  # not routed: rest_no_route, checked by the tests that expect it
        if endpoint not in API_OF:
            return
        op = operations.find(API_OF[endpoint], endpoint)
        body = json.loads(response.get_data(as_text=True)) if response.is_json else response.get_data(as_text=True)
        problems = operations.response_problems(op, response.status_code, body)
        assert not problems, f"{method} {path} -> {response.status_code} breaks {endpoint}'s contract: {problems}"

    def get(self, url, **kw): return self.request("GET", url, **kw)
    def post(self, url, **kw): return self.request("POST", url, **kw)
    def put(self, url, **kw): return self.request("PUT", url, **kw)
    def patch(self, url, **kw): return self.request("PATCH", url, **kw)
    def delete(self, url, **kw): return self.request("DELETE", url, **kw)


@pytest.fixture
def mock():
    return ContractClient(create_app(Config(db=":memory:", seed=1)))


@pytest.fixture
def make_mock():
    def make(**config):
        return ContractClient(create_app(Config(**{"db": ":memory:", "seed": 1, **config})))
    return make
