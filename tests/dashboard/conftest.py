import base64

import pytest

from mock_server.app import create_app
from mock_server.config import Config

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def basic(login: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


@pytest.fixture
def app():
    return create_app(Config(db=":memory:", seed=1))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def site(app):
    return app.extensions["membermock"]
