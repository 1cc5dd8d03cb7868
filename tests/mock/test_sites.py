"""Isolated sites: one server, many sites, each with its own data, credentials, journal and faults."""
import base64

import pytest


def basic(login, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def test_a_new_site_has_the_seeded_data_and_credentials_of_its_own(mock):
    created = mock.client.post("/__mock__/sites", json={"name": "team-a"})
    assert created.status_code == 201
    site = created.get_json()
    assert site["name"] == "team-a" and site["url"].endswith("/sites/team-a")
    assert site["mp_api_key"] != mock.mp_key
    mine = {"MEMBERPRESS-API-KEY": site["mp_api_key"]}
    default_total = mock.get("/wp-json/mp/v1/members", headers=mock.mp()).headers["X-WP-Total"]
    answer = mock.client.get("/sites/team-a/wp-json/mp/v1/members", headers=mine)
    assert answer.status_code == 200 and answer.headers["X-WP-Total"] == default_total
    assert mock.client.get("/sites/team-a/wp-json/mp/v1/members", headers=mock.mp()).status_code == 401
    admin = basic("admin", site["admin"]["application_password"])
    levels_for_user = "/wp-json/pmpro/v1/get_membership_level_for_user?user_id=1"   # needs pmpro_edit_members
    assert mock.client.get("/sites/team-a" + levels_for_user, headers=admin).status_code == 200
    assert mock.client.get(levels_for_user, headers=admin).status_code == 401     # the other site: anonymous


def test_writes_stay_on_their_site(mock):
    a = mock.client.post("/__mock__/sites", json={}).get_json()
    b = mock.client.post("/__mock__/sites", json={}).get_json()
    path = lambda s: f"/sites/{s['name']}/wp-json/mp/v1/memberships"   # noqa: E731
    made = mock.client.post(path(a), headers={"MEMBERPRESS-API-KEY": a["mp_api_key"]}, json={"title": "Only on A"})
    assert made.status_code in (200, 201)
    titles = lambda s: [m["title"] for m in mock.client.get(   # noqa: E731
        path(s), headers={"MEMBERPRESS-API-KEY": s["mp_api_key"]}, query_string={"per_page": 100}).get_json()]
    assert "Only on A" in titles(a)
    assert "Only on A" not in titles(b)
    assert "Only on A" not in [m["title"] for m in mock.get("/wp-json/mp/v1/memberships?per_page=100",
                                                            headers=mock.mp()).get_json()]


def test_each_site_has_its_own_control_routes(mock):
    site = mock.client.post("/__mock__/sites", json={"name": "ctl", "seed": 7}).get_json()
    assert site["seed"] == 7
    health = mock.client.get("/sites/ctl/__mock__/health").get_json()
    assert health == {"status": "ok", "site": "ctl", "seed": 7}
    users = mock.client.get("/sites/ctl/__mock__/users").get_json()
    assert next(u for u in users if u["login"] == "admin")["application_password"] == site["admin"]["application_password"]
    assert mock.client.post("/sites/ctl/__mock__/reset").status_code == 200
    assert mock.client.get("/sites/ctl/__mock__/health").get_json()["seed"] == 7


def test_listing_getting_and_deleting_sites(mock):
    for name in ("one", "two"):
        assert mock.client.post("/__mock__/sites", json={"name": name}).status_code == 201
    assert [s["name"] for s in mock.client.get("/__mock__/sites").get_json()] == ["one", "two"]
    assert mock.client.get("/__mock__/sites/two").get_json()["name"] == "two"
    assert mock.client.delete("/__mock__/sites/one").get_json() == {"deleted": True, "name": "one"}
    assert [s["name"] for s in mock.client.get("/__mock__/sites").get_json()] == ["two"]
    gone = mock.client.get("/sites/one/wp-json/mp/v1/members", headers=mock.mp())
    assert gone.status_code == 404 and gone.get_json()["code"] == "mock_no_site"
    assert mock.client.delete("/__mock__/sites/one").status_code == 404
    assert mock.client.get("/__mock__/sites/one").status_code == 404


@pytest.mark.parametrize("body, code, status", [
    ({"name": "Bad Name"}, "mock_invalid_site_name", 400),
    ({"name": ""}, "mock_invalid_site_name", 400),
    ({"name": 12}, "mock_invalid_site_name", 400),
    ({"seed": "seven"}, "mock_invalid_seed", 400),
    ({"seed": True}, "mock_invalid_seed", 400),
    ({"nmae": "typo"}, "mock_invalid_site", 400),
    ([1, 2], "mock_invalid_json", 400),
])
def test_bad_site_requests_are_refused_clearly(mock, body, code, status):
    answer = mock.client.post("/__mock__/sites", json=body)
    assert answer.status_code == status and answer.get_json()["code"] == code
    assert mock.client.get("/__mock__/sites").get_json() == []


def test_a_name_is_taken_once(mock):
    assert mock.client.post("/__mock__/sites", json={"name": "dup"}).status_code == 201
    again = mock.client.post("/__mock__/sites", json={"name": "dup"})
    assert again.status_code == 409 and again.get_json()["code"] == "mock_site_exists"


def test_a_site_can_start_from_a_scenario(mock):
    scenario = {"users": {"zoe": {"user_email": "zoe@example.org"}},
                "pmpro": {"levels": {"gold": {"name": "Gold"}}}}
    site = mock.client.post("/__mock__/sites", json={"name": "sc", "scenario": scenario}).get_json()
    admin = basic("admin", site["admin"]["application_password"])
    levels = mock.client.get("/sites/sc/wp-json/pmpro/v1/membership_levels", headers=admin).get_json()
    assert [lv["name"] for lv in levels.values()] == ["Gold"]
    logins = [u["login"] for u in mock.client.get("/sites/sc/__mock__/users").get_json()]
    assert logins == ["admin", "zoe"]


def test_a_bad_scenario_leaves_no_site_behind(mock):
    bad = {"pmpro": {"levels": {"gold": {"name": 5}}}}
    answer = mock.client.post("/__mock__/sites", json={"name": "broken", "scenario": bad})
    assert answer.status_code == 400 and answer.get_json()["code"] == "mock_invalid_scenario"
    assert mock.client.get("/__mock__/sites/broken").status_code == 404
    assert mock.client.post("/__mock__/sites", json={"name": "broken"}).status_code == 201
