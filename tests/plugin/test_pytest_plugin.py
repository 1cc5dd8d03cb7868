"""The pytest plugin, as an integrator's test run meets it (pytester runs a test file of theirs)."""
import requests

import pytest

from membermock.client import MockServer


@pytest.fixture(scope="module")
def server():
    server = MockServer.start(workers=2)
    yield server
    server.stop()


INTEGRATOR_TESTS = '''
import requests

SEEN = {}

def test_a_site_of_its_own(membermock_site):
    SEEN["first"] = membermock_site.name
    made = requests.post(membermock_site.url + "/wp-json/mp/v1/memberships", headers=membermock_site.mp_headers,
                         json={"title": "Only here"}, timeout=10)
    assert made.status_code in (200, 201)
    assert membermock_site.request_count(method="POST") == 1

def test_the_next_test_gets_a_fresh_one(membermock_site):
    assert membermock_site.name != SEEN["first"]
    titles = [m["title"] for m in requests.get(membermock_site.url + "/wp-json/mp/v1/memberships",
              headers=membermock_site.mp_headers, params={"per_page": 100}, timeout=10).json()]
    assert "Only here" not in titles

def test_wp_auth_faults_and_scenarios(membermock_site):
    membermock_site.load({"users": {"ann": {"app_password": "aaaa bbbb cccc dddd eeee ffff"}},
                          "pmpro": {"levels": {"one": {"name": "One"}}}})
    assert membermock_site.wp_auth("ann") == ("ann", "aaaa bbbb cccc dddd eeee ffff")
    url = membermock_site.url + "/wp-json/pmpro/v1/membership_levels"
    membermock_site.fault(path="/wp-json/pmpro/*", status=503, times=1)
    assert requests.get(url, timeout=10).status_code == 503
    levels = requests.get(url, auth=membermock_site.wp_auth(), timeout=10).json()
    assert [lv["name"] for lv in levels.values()] == ["One"]
    assert [f["applied"] for f in membermock_site.faults()] == [1]

def test_webhooks_reach_the_receiver(membermock_site, webhook_receiver):
    membermock_site.trigger("login")
    delivery = webhook_receiver.wait_for("login", timeout=10)
    assert delivery.body["type"] == "member" and delivery.delivery_id
    assert [d["event"] for d in membermock_site.deliveries()] == ["login"]
'''


def test_the_fixtures_drive_a_running_server(pytester, server):
    pytester.makepyfile(test_integrator=INTEGRATOR_TESTS)
    result = pytester.runpytest("--membermock-url", server.url, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    left = requests.get(f"{server.url}/__mock__/sites", timeout=10).json()
    assert left == []   # every test's site was removed after it


def test_without_a_url_the_session_starts_its_own_server(pytester):
    pytester.makepyfile(test_own='''
def test_one(membermock):
    assert membermock.health()["status"] == "ok" and membermock.proc is not None
    test_one.url = membermock.url

def test_same_server(membermock):
    assert membermock.url == test_one.url
''')
    result = pytester.runpytest("--membermock-workers", "1", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_wrong_url_fails_the_fixture_clearly(pytester):
    pytester.makepyfile(test_gone="def test_x(membermock_site):\n    pass\n")
    result = pytester.runpytest("--membermock-url", "http://127.0.0.1:9", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ConnectionError*"])


def test_the_options_are_listed(pytester):
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--membermock-url*", "*--membermock-workers*"])
