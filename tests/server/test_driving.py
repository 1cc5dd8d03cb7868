"""Driving the mock from a test, against a real `membermock serve --workers 2` over real sockets:
faults as a client meets them, the journal and sites across workers, scenario files end to end."""
import json
import subprocess
import time

import pytest
import requests

from membermock.client import MockServer, WebhookReceiver
from tests.server.harness import EXE, Server, free_port

MEMBERS = "/wp-json/mp/v1/members"


@pytest.fixture(scope="module")
def server():
    server = MockServer.start(workers=2)
    yield server
    server.stop()


@pytest.fixture
def site(server):
    site = server.new_site()
    yield site
    site.delete()


def get_members(site, timeout=5, **kw):
    return requests.get(site.url + MEMBERS, headers=site.mp_headers, timeout=timeout, **kw)


def test_drop_and_reset_break_the_connection(site):
    site.fault(path=MEMBERS, drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        get_members(site)
    site.fault(path=MEMBERS, reset=True, times=1)
    with pytest.raises(requests.ConnectionError) as reset:
        get_members(site)
    assert "reset" in str(reset.value).lower()
    assert get_members(site).status_code == 200
    assert [(e["status"], e["fault"] is not None) for e in site.requests(path=MEMBERS)] == [
        (None, True), (None, True), (200, False)]


def test_a_delay_beyond_the_client_timeout_times_out(site):
    site.fault(path=MEMBERS, delay_ms=2000, times=1)
    with pytest.raises(requests.Timeout):
        get_members(site, timeout=0.5)
    assert get_members(site).status_code == 200


def test_status_malformed_and_slow_bodies_over_the_wire(site):
    site.fault(path=MEMBERS, status=503, times=1, retry_after=3)
    unavailable = get_members(site)
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "3"
    assert unavailable.json()["data"]["status"] == 503
    site.fault(path=MEMBERS, malformed=True, times=1)
    broken = get_members(site)
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    site.fault(path=MEMBERS, slow_body=600, times=1)
    arrivals, chunks = [], []
    with get_members(site, stream=True) as slow:
        for chunk in slow.iter_content(chunk_size=256):
            arrivals.append(time.monotonic())
            chunks.append(chunk)
    assert len(chunks) >= 3 and arrivals[-1] - arrivals[0] > 0.2   # dribbled, not sent at once
    assert len(json.loads(b"".join(chunks))) == 10


def test_webhook_deliveries_can_be_duplicated_and_delayed(site):
    receiver = WebhookReceiver()
    try:
        site.subscribe(receiver.url)
        site.fault(webhook="login", duplicate=True, times=1)
        site.trigger("login")
        first, second = receiver.wait_for("login"), receiver.wait_for("login", count=2)
        assert first.delivery_id == second.delivery_id and first.body == second.body
        site.fault(webhook="member-*", delay_ms=700, times=1)
        sent = time.monotonic()
        site.trigger("member-added")
        receiver.wait_for("member-added", timeout=10)
        assert time.monotonic() - sent >= 0.7
        assert [f["applied"] for f in site.faults()] == [1, 1]
    finally:
        receiver.stop()


def test_the_journal_sees_every_worker(site):
    session = requests.Session()
    for n in range(40):
        session.get(f"{site.url}{MEMBERS}/{n + 1}", headers=site.mp_headers, timeout=10)
    got = site.requests(path=MEMBERS + "/*")
    assert [e["path"] for e in got] == [f"{MEMBERS}/{n + 1}" for n in range(40)]
    assert site.request_count(path=MEMBERS + "/*") == 40
    assert all(e["headers"]["Memberpress-Api-Key"] == "***" for e in got)


def test_sites_are_seen_and_dropped_by_every_worker(server):
    site = server.new_site()
    statuses = {get_members(site).status_code for _ in range(20)}
    assert statuses == {200}
    site.delete()
    gone = {get_members(site).status_code for _ in range(20)}
    assert gone == {404}


def test_a_scenario_round_trip_over_http(site):
    requests.post(site.url + "/wp-json/mp/v1/memberships", headers=site.mp_headers, json={"title": "Kept"}, timeout=10)
    before = requests.get(site.url + "/__mock__/state", timeout=10).json()
    exported = site.export()
    requests.post(site.url + "/__mock__/reseed?seed=4", timeout=30)
    assert requests.get(site.url + "/__mock__/state", timeout=10).json() != before
    site.load(exported)
    for _ in range(6):   # whichever worker answers
        assert requests.get(site.url + "/__mock__/state", timeout=10).json() == before


def test_serve_takes_a_scenario_faults_and_journal_size(tmp_path):
    scenario = tmp_path / "team.yaml"
    scenario.write_text("users:\n  zed: {user_email: zed@example.org}\npmpro:\n  levels:\n    solo: {name: Solo}\n")
    fault = json.dumps({"path": "/wp-json/pmpro/v1/membership_levels", "status": 500, "times": 1})
    server = Server(tmp_path / "site.sqlite3", workers=2,
                    extra=["--scenario", str(scenario), "--fault", fault, "--journal-size", "0"]).start()
    try:
        levels = server.url("/wp-json/pmpro/v1/membership_levels")
        assert requests.get(levels, timeout=10).status_code == 500
        assert [lv["name"] for lv in requests.get(levels, timeout=10).json().values()] == ["Solo"]
        assert requests.get(server.url("/__mock__/requests"), timeout=10).status_code == 404
    finally:
        server.stop()


def test_serve_refuses_a_bad_scenario_naming_the_problem(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("pmpro:\n  levels:\n    x: {name: [1]}\n")
    run = subprocess.run([EXE, "serve", "--port", str(free_port()), "--db", str(tmp_path / "s.sqlite3"),
                          "--scenario", str(scenario)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert f"{scenario}: $.pmpro.levels.x.name" in run.stderr and "[type]" in run.stderr
