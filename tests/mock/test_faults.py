"""Faults a test sets on its site: statuses, delays, broken bodies, and when they fire."""
import pytest

MEMBERS = "/wp-json/mp/v1/members"


def add(mock, prefix="", **spec):
    answer = mock.client.post(f"{prefix}/__mock__/faults", json=spec)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_status_fault_answers_in_the_wordpress_error_format_then_stops(mock):
    fault = add(mock, path=MEMBERS + "*", status=503, times=2)
    assert fault == {"id": fault["id"], "path": MEMBERS + "*", "status": 503, "times": 2, "seen": 0, "applied": 0,
                     "remaining": 2}
    for _ in range(2):
        answer = mock.client.get(MEMBERS, headers=mock.mp())
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
        body = answer.get_json()
        assert body["code"] == "membermock_fault" and body["data"] == {"status": 503}
    assert mock.client.get(MEMBERS, headers=mock.mp()).status_code == 200
    [state] = mock.client.get("/__mock__/faults").get_json()
    assert (state["seen"], state["applied"], state["remaining"]) == (2, 2, 0)
    journal = mock.client.get("/__mock__/requests").get_json()
    assert [(e["status"], e["fault"]) for e in journal] == [(503, fault["id"]), (503, fault["id"]), (200, None)]


def test_match_by_method_path_and_api(mock):
    add(mock, method="POST", path="/wp-json/mp/v1/*", status=500)
    add(mock, api="pmpro", status=429, retry_after=7)
    assert mock.client.get(MEMBERS, headers=mock.mp()).status_code == 200
    assert mock.client.post("/wp-json/mp/v1/memberships", headers=mock.mp(), json={"title": "x"}).status_code == 500
    limited = mock.client.get("/wp-json/pmpro/v1/membership_levels")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert mock.client.get("/wp-json/wp-abilities/v1/abilities").status_code == 401
    assert mock.client.get("/__mock__/health").status_code == 200   # never on the control routes


def test_a_probable_fault_repeats_for_the_same_seed(mock):
    def pattern(prefix):
        add(mock, prefix, path=MEMBERS, status=502, probability=0.5, seed=42)
        key = mock.client.get(f"{prefix}/__mock__/sites/{prefix.rsplit('/', 1)[-1]}").get_json()["mp_api_key"]
        return [mock.client.get(f"{prefix}{MEMBERS}", headers={"MEMBERPRESS-API-KEY": key}).status_code
                for _ in range(40)]
    for name in ("p1", "p2"):
        mock.client.post("/__mock__/sites", json={"name": name})
    first, second = pattern("/sites/p1"), pattern("/sites/p2")
    assert first == second and {200, 502} == set(first)
    assert 10 < first.count(502) < 30


def test_a_delay_holds_the_answer(mock):
    add(mock, path=MEMBERS, delay_ms=300, times=1)
    assert mock.client.get(MEMBERS, headers=mock.mp()).status_code == 200
    [entry] = mock.client.get("/__mock__/requests").get_json()
    assert entry["duration_ms"] >= 300 and entry["fault"] == 1


def test_a_malformed_body_is_a_truncated_200(mock):
    add(mock, path="/wp-json/mp/v1/members/*", malformed=True)
    answer = mock.client.get("/wp-json/mp/v1/members/99999999", headers=mock.mp())
    assert answer.status_code == 200 and answer.headers["Content-Length"] == str(len(answer.data))
    assert answer.mimetype == "application/json" and answer.get_json(silent=True) is None
    assert answer.data.startswith(b'{"code":"mp_no_records_found"')


def test_a_slow_body_arrives_whole(mock):
    add(mock, path=MEMBERS, slow_body=200)
    expected = mock.client.get("/wp-json/mp/v1/members?per_page=3", headers=mock.mp())
    assert expected.status_code == 200 and len(expected.get_json()) == 3


@pytest.mark.parametrize("spec, wanted", [
    ({"path": "/x"}, "exactly one of"),
    ({"status": 503, "drop": True}, "exactly one of"),
    ({"status": 200}, "minimum"),
    ({"status": 503, "probability": 2}, "maximum"),
    ({"status": 503, "colour": "red"}, "additionalProperties"),
    ({"delay_ms": [50, 10]}, "min <= max"),
    ({"webhook": "*", "status": 500}, "status is not a fault of a webhook delivery"),
    ({"path": "/x", "duplicate": True}, "duplicate is not a fault of a request"),
    ({"webhook": "*", "path": "/x", "duplicate": True}, "do not go with webhook"),
    ([1], "JSON object"),
])
def test_bad_faults_are_refused_and_nothing_is_set(mock, spec, wanted):
    answer = mock.client.post("/__mock__/faults", json=spec)
    assert answer.status_code == 400 and answer.get_json()["code"] in ("mock_invalid_fault", "mock_invalid_json")
    assert wanted in answer.get_json()["message"] or answer.get_json()["code"] == "mock_invalid_json"
    assert mock.client.get("/__mock__/faults").get_json() == []


def test_removing_faults(mock):
    one = add(mock, path=MEMBERS, status=500)
    add(mock, path="/wp-json/pmpro/*", status=500)
    assert mock.client.delete(f"/__mock__/faults/{one['id']}").get_json() == {"removed": 1}
    assert mock.client.delete(f"/__mock__/faults/{one['id']}").status_code == 404
    assert mock.client.get(MEMBERS, headers=mock.mp()).status_code == 200
    assert mock.client.delete("/__mock__/faults").get_json() == {"removed": 1}
    assert mock.client.get("/wp-json/pmpro/v1/membership_levels").status_code == 200


def test_faults_belong_to_their_site(mock):
    mock.client.post("/__mock__/sites", json={"name": "f"})
    add(mock, "/sites/f", status=500)
    assert mock.client.get(MEMBERS, headers=mock.mp()).status_code == 200
    assert mock.client.get("/sites/f/wp-json/pmpro/v1/membership_levels").status_code == 500
