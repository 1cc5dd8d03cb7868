"""Beyond loopback the control routes and dashboard ask for an administrator; --open-control and
--no-dashboard do what they say. In-process for the rules, real `serve` processes for the flags."""
import pytest
import requests

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.control_access import is_loopback
from tests.dashboard.conftest import BROWSER, basic
from tests.server.harness import ADMIN_PASSWORD, running

ADMIN = "MockAdminAppPassword0000"


@pytest.fixture
def guarded():
    return create_app(Config(db=":memory:", control_auth=True)).test_client()


def test_loopback_is_told_apart():
    assert all(map(is_loopback, ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "::", "192.0.2.10", "no-such-host.invalid")))


def test_guarded_routes_ask_for_an_administrator(guarded):
    for method, path in (("GET", "/__mock__/"), ("GET", "/__mock__/ui/requests"), ("GET", "/__mock__/faults"),
                         ("POST", "/__mock__/reset"), ("GET", "/__mock__/users"), ("POST", "/__mock__/events/login")):
        answer = guarded.open(path, method=method, headers=BROWSER)
        assert answer.status_code == 401, (method, path)
        assert answer.headers["WWW-Authenticate"].startswith("Basic ")
        assert answer.get_json()["code"] == "mock_control_auth"
    alice = guarded.application.extensions["membermock"].user_by("user_login", "alice")
    for wrong in (basic("alice", alice["app_password"]), basic("admin", "nope"), basic("nobody", "x")):
        assert guarded.get("/__mock__/faults", headers=wrong).status_code == 401
    assert guarded.get("/__mock__/faults", headers=basic("admin", ADMIN)).status_code == 200
    assert guarded.get("/__mock__/", headers=basic("admin", ADMIN)).status_code == 200
    # a refused form is not turned into a redirect: the browser must see the 401 to ask for a password
    assert guarded.post("/__mock__/reset", headers=BROWSER, data={"_next": "/__mock__/"}).status_code == 401


def test_health_and_the_plugins_routes_are_not_guarded(guarded):
    assert guarded.get("/__mock__/health").status_code == 200
    assert guarded.get("/wp-json/mp/v1/members", headers={"MEMBERPRESS-API-KEY": "mock-mp-api-key"}).status_code == 200


def test_a_sites_own_administrator_controls_that_site_only(guarded):
    made = guarded.post("/__mock__/sites", json={"name": "team"}, headers=basic("admin", ADMIN)).get_json()
    own = basic("admin", made["admin"]["application_password"])
    assert guarded.get("/sites/team/__mock__/faults", headers=own).status_code == 200
    assert guarded.get("/sites/team/__mock__/", headers=own).status_code == 200
    assert guarded.get("/sites/team/__mock__/faults", headers=basic("admin", ADMIN)).status_code == 200
    assert guarded.get("/__mock__/faults", headers=own).status_code == 401
    assert guarded.get("/sites/team/__mock__/faults").status_code == 401


def test_loopback_needs_no_password():
    client = create_app(Config(db=":memory:")).test_client()
    assert client.get("/__mock__/").status_code == 200
    assert client.get("/__mock__/faults").status_code == 200


def test_serve_beyond_loopback_guards_control(tmp_path):
    with running(tmp_path / "site.sqlite3", extra=["--host", "0.0.0.0"]) as server:
        assert "need the admin's basic auth" in _banner(server)
        assert requests.get(server.url("/__mock__/"), timeout=10).status_code == 401
        assert requests.post(server.url("/__mock__/reset"), timeout=10).status_code == 401
        page = requests.get(server.url("/__mock__/"), auth=("admin", ADMIN_PASSWORD), timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        assert requests.get(server.url("/__mock__/health"), timeout=10).status_code == 200


def test_serve_open_control_without_dashboard(tmp_path):
    with running(tmp_path / "site.sqlite3", extra=["--host", "0.0.0.0", "--open-control", "--no-dashboard"]) as server:
        assert requests.get(server.url("/__mock__/faults"), timeout=10).status_code == 200
        gone = requests.get(server.url("/__mock__/"), timeout=10)
        assert gone.status_code == 404 and gone.json()["code"] == "rest_no_route"
        assert requests.get(server.url("/__mock__/ui/requests"), timeout=10).status_code == 404
        assert "dashboard" not in _banner(server)


def _banner(server) -> str:
    """What serve printed before it answered (its first lines, read without blocking on the rest)."""
    import os
    import select
    out = b""
    fd = server.proc.stdout.fileno()
    os.set_blocking(fd, False)
    while select.select([fd], [], [], 0.5)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace")
