"""The request journal: every plugin request recorded, secrets masked, filters, bounds."""
import base64

import pytest


def entries(mock, **filters):
    answer = mock.client.get("/__mock__/requests", query_string=filters)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_request_is_recorded_with_what_was_sent_and_answered(mock):
    mock.post("/wp-json/mp/v1/memberships?debug=1", headers=mock.mp(), json={"title": "Journaled"})
    [entry] = entries(mock)
    assert entry["method"] == "POST" and entry["path"] == "/wp-json/mp/v1/memberships"
    assert entry["query"] == "debug=1" and entry["api"] == "memberpress" and entry["site"] is None
    assert entry["status"] in (200, 201) and entry["duration_ms"] > 0
    assert '"title": "Journaled"' in entry["body"] and entry["headers"]["Memberpress-Api-Key"] == "***"
    assert entry["time"].endswith("+00:00") and entry["fault"] is None
    assert mock.client.get(f"/__mock__/requests/{entry['id']}").get_json() == entry


def test_secrets_are_masked(mock):
    mock.post("/wp-json/mp/v1/members", headers={**mock.basic("admin")},
              json={"email": "m@example.org", "username": "masked", "password": "hunter2",
                    "transaction": {"membership": 1, "api_key": "k"}})
    mock.client.post("/wp-json/pmpro/v1/change_membership_level", headers=mock.basic("admin"),
                     data={"user_id": "2", "level_id": "1", "user_pass": "s3cret"})
    first, second = entries(mock)
    assert first["headers"]["Authorization"] == "Basic admin:***"
    assert "hunter2" not in first["body"] and '"password": "***"' in first["body"]
    assert '"api_key": "***"' in first["body"]
    assert "s3cret" not in second["body"] and "user_pass=%2A%2A%2A" in second["body"]


def test_control_routes_are_not_recorded_and_the_rest_route_form_is(mock):
    mock.client.get("/__mock__/health")
    mock.client.get("/?rest_route=/pmpro/v1/membership_levels")
    [entry] = entries(mock)
    assert entry["path"] == "/wp-json/pmpro/v1/membership_levels"
    assert entry["query"] == "rest_route=/pmpro/v1/membership_levels" and entry["api"] == "pmpro"


def test_filters(mock):
    mock.get("/wp-json/mp/v1/members", headers=mock.mp())
    mock.get("/wp-json/mp/v1/members/999999", headers=mock.mp())
    mock.get("/wp-json/mp/v1/memberships", headers=mock.mp())
    mock.client.get("/wp-json/wp-abilities/v1/abilities")
    mock.client.get("/wp-json/nothing/here")
    assert [e["path"] for e in entries(mock, path="/wp-json/mp/v1/members*")] == [
        "/wp-json/mp/v1/members", "/wp-json/mp/v1/members/999999", "/wp-json/mp/v1/memberships"]
    assert [e["path"] for e in entries(mock, path="/wp-json/mp/v1/members/*")] == ["/wp-json/mp/v1/members/999999"]
    assert [e["status"] for e in entries(mock, status="4xx")] == [404, 401, 404]
    assert [e["path"] for e in entries(mock, status="404")] == ["/wp-json/mp/v1/members/999999", "/wp-json/nothing/here"]
    assert [e["api"] for e in entries(mock, api="wc-memberships")] == ["wc-memberships"]
    assert [e["api"] for e in entries(mock, api="other")] == ["other"]
    assert entries(mock, method="post") == []
    assert [e["path"] for e in entries(mock, limit=2)] == ["/wp-json/wp-abilities/v1/abilities", "/wp-json/nothing/here"]
    later = entries(mock)[2]["time"]
    assert len(entries(mock, since=later)) == 3
    count = mock.client.get("/__mock__/requests/count", query_string={"path": "/wp-json/mp/v1/*"}).get_json()
    assert count == {"count": 3}


@pytest.mark.parametrize("query", [{"status": "abc"}, {"since": "yesterday"}, {"limit": "0"}, {"limit": "x"}])
def test_bad_filters_are_refused(mock, query):
    answer = mock.client.get("/__mock__/requests", query_string=query)
    assert answer.status_code == 400 and answer.get_json()["code"] == "mock_invalid_filter"


def test_clearing(mock):
    mock.get("/wp-json/mp/v1/members", headers=mock.mp())
    assert mock.client.delete("/__mock__/requests").get_json() == {"cleared": 1}
    assert entries(mock) == []


def test_the_journal_is_bounded(make_mock, monkeypatch):
    from mock_server import journal
    monkeypatch.setattr(journal, "TRIM_EVERY", 5)
    mock = make_mock(journal_size=10)
    for n in range(37):
        mock.client.get(f"/wp-json/nothing/{n}")
    kept = [e["path"] for e in entries(mock)]
    assert 10 <= len(kept) < 15 and kept[-1] == "/wp-json/nothing/36"


def test_a_journal_size_of_zero_turns_it_off(make_mock):
    mock = make_mock(journal_size=0)
    mock.get("/wp-json/mp/v1/members", headers=mock.mp())
    off = mock.client.get("/__mock__/requests")
    assert off.status_code == 404 and off.get_json()["code"] == "mock_journal_off"


def test_each_site_keeps_its_own_journal(mock):
    site = mock.client.post("/__mock__/sites", json={"name": "j"}).get_json()
    mock.client.get("/sites/j/wp-json/mp/v1/members", headers={"MEMBERPRESS-API-KEY": site["mp_api_key"]})
    assert entries(mock) == []
    [entry] = mock.client.get("/sites/j/__mock__/requests").get_json()
    assert entry["site"] == "j" and entry["status"] == 200


def test_bodies_that_are_not_json_are_kept_as_text(mock):
    raw = base64.b64encode(b"binary-ish").decode()
    mock.client.post("/wp-json/mp/v1/memberships", headers={**mock.mp(), "Content-Type": "text/plain"}, data=raw)
    [entry] = entries(mock)
    assert entry["body"] == raw
