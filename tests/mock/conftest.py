"""A mock site per test, and a client that checks every answer against the contract it claims."""
import base64

import pytest

from mock_server.app import create_app
from mock_server.config import Config
from tests import contract


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
        found = contract.problems(method, response.request.path, response.status_code,
                                  response.get_data(as_text=True), response.is_json)
        assert not found, found

    def get(self, url, **kw): return self.request("GET", url, **kw)
    def post(self, url, **kw): return self.request("POST", url, **kw)
    def put(self, url, **kw): return self.request("PUT", url, **kw)
    def patch(self, url, **kw): return self.request("PATCH", url, **kw)
    def delete(self, url, **kw): return self.request("DELETE", url, **kw)


@pytest.fixture
def mock(new_db):
    return ContractClient(create_app(Config(db=new_db(), seed=1)))


@pytest.fixture
def make_mock(new_db):
    def make(**config):
        return ContractClient(create_app(Config(**{"db": new_db(), "seed": 1, **config})))
    return make
