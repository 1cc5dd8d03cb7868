"""HTML forms reach the control routes the API uses, and a browser is sent back to its page."""
from urllib.parse import parse_qs, urlsplit

from tests.dashboard.conftest import BROWSER


def notice(response) -> dict:
    """The page a 303 sends the browser to, and what it carries."""
    assert response.status_code == 303, response.get_data(as_text=True)
    target = urlsplit(response.headers["Location"])
    return {"path": target.path, **{k: v[0] for k, v in parse_qs(target.query).items()}}


def test_a_fault_form_is_the_json_route_with_types_from_the_contract(client, site):
    back = notice(client.post("/__mock__/faults", headers=BROWSER, data={
        "_next": "/__mock__/ui/faults?x=1&done=old", "method": "GET", "path": "/wp-json/mp/v1/members*",
        "api": "", "status": "503", "delay_ms": "", "times": "2", "probability": ""}))
    assert back["path"] == "/__mock__/ui/faults" and back["x"] == "1"
    assert back["done"].startswith("POST /__mock__/faults → 201: ") and '"status":503' in back["done"]
    (fault,) = site.faults.all()
    assert {k: fault[k] for k in ("method", "path", "status", "times")} == \
        {"method": "GET", "path": "/wp-json/mp/v1/members*", "status": 503, "times": 2}
    assert "api" not in fault and "delay_ms" not in fault    # empty fields are left out
    assert client.get("/wp-json/mp/v1/members", headers={"MEMBERPRESS-API-KEY": "mock-mp-api-key"}).status_code == 503


def test_a_script_posting_a_form_gets_the_json_answer(client, site):
    answer = client.post("/__mock__/faults", data={"path": "/wp-json/pmpro/v1/*", "drop": "true"})
    assert answer.status_code == 201 and answer.get_json()["drop"] is True


def test_a_refused_form_goes_back_with_the_routes_own_message_and_stores_nothing(client, site):
    back = notice(client.post("/__mock__/faults", headers=BROWSER, data={
        "_next": "/__mock__/ui/faults", "path": "/x", "status": "503", "drop": "true"}))
    assert back["error"].startswith("400: A fault has exactly one of") and "status, drop" in back["error"]
    back = notice(client.post("/__mock__/faults", headers=BROWSER, data={"_next": "/__mock__/ui/faults",
                                                                          "status": "abc"}))
    assert back["error"].startswith("400: ") and "abc" in back["error"]
    assert site.faults.all() == []


def test_method_override_deletes_and_only_for_forms(client, site):
    first = site.faults.add({"path": "/a", "status": 500})
    site.faults.add({"path": "/b", "status": 500})
    back = notice(client.post(f"/__mock__/faults/{first['id']}?_method=DELETE", headers=BROWSER,
                              data={"_next": "/__mock__/ui/faults"}))
    assert "→ 200" in back["done"] and [f["path"] for f in site.faults.all()] == ["/b"]
    # a JSON POST with the same query is not a DELETE: no such route
    assert client.post("/__mock__/faults/2?_method=DELETE", json={}).status_code == 404
    assert len(site.faults.all()) == 1


def test_a_form_from_another_site_is_refused(client, site):
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        answer = client.post("/__mock__/faults", headers={**BROWSER, **headers}, data={"path": "/x", "status": "503"})
        assert answer.status_code == 403 and answer.get_json()["code"] == "mock_cross_site"
    assert site.faults.all() == []
    same = client.post("/__mock__/faults", headers={**BROWSER, "Origin": "http://localhost",
                                                    "Sec-Fetch-Site": "same-origin"}, data={"path": "/x", "status": "503"})
    assert same.status_code == 303 and len(site.faults.all()) == 1
    # JSON from a script (no Origin) is not a form and is never refused for it
    assert client.post("/__mock__/faults", json={"path": "/y", "status": 500}).status_code == 201


def test_next_must_be_a_path_of_this_server(client):
    for wanted in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"):
        back = notice(client.post("/__mock__/reset", headers=BROWSER, data={"_next": wanted}))
        assert back["path"] == "/__mock__/"


def test_clock_reseed_trigger_and_payment_forms(client, site):
    before = client.get("/__mock__/clock").get_json()
    notice(client.post("/__mock__/clock", headers=BROWSER, data={"advance": "P1D", "frozen": "true"}))
    after = client.get("/__mock__/clock").get_json()
    assert after["frozen"] is True and after["now"][:10] > before["now"][:10]
    back = notice(client.post("/__mock__/clock", headers=BROWSER, data={"advance": "soon"}))
    assert "soon" in back["error"]
    assert client.post("/__mock__/clock", data={"advance": "3600"}).status_code == 200   # seconds, as JSON takes

    assert "→ 200" in notice(client.post("/__mock__/reseed", headers=BROWSER, data={"seed": "3"}))["done"]
    assert client.get("/__mock__/health").get_json()["seed"] == 3

    member = site.users()[4]["id"]
    back = notice(client.post("/__mock__/events/login", headers=BROWSER, data={"id": str(member)}))
    assert "→ 202" in back["done"] and f'"id":{member}' in back["done"]
    assert "404" in notice(client.post("/__mock__/events/login", headers=BROWSER, data={"id": "999999"}))["error"]

    subscription = client.get("/wp-json/mp/v1/subscriptions?per_page=1",
                              headers={"MEMBERPRESS-API-KEY": "mock-mp-api-key"}).get_json()[0]["id"]
    answer = client.post("/__mock__/payments/fail", data={"subscription": str(subscription), "times": "2"})
    assert answer.get_json() == {"subscription": int(subscription), "failing": 2}


def test_site_forms(client):
    back = notice(client.post("/__mock__/sites", headers=BROWSER, data={"name": "team-a", "seed": "", "_next": "/__mock__/"}))
    assert '"name":"team-a"' in back["done"]
    assert client.get("/__mock__/sites/team-a").status_code == 200
    assert "409" in notice(client.post("/__mock__/sites", headers=BROWSER, data={"name": "team-a"}))["error"]
    notice(client.post("/__mock__/sites/team-a?_method=DELETE", headers=BROWSER, data={"_next": "/__mock__/"}))
    assert client.get("/__mock__/sites/team-a").status_code == 404


def test_json_bodies_are_read_as_before(client):
    assert client.post("/__mock__/faults", json=[1]).status_code == 400
    assert client.post("/__mock__/faults", data="{}", content_type="text/plain").status_code == 400
    assert client.post("/__mock__/payments/fail").status_code == 400
    assert client.post("/__mock__/reseed", json={"seed": 2}).get_json() == {"status": "reseeded", "seed": 2}


def test_json_sent_with_curls_default_content_type_is_read_as_json(client, site):
    answer = client.post("/__mock__/sites", data='{"name": "curled"}',
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 201 and answer.get_json()["name"] == "curled"
    answer = client.post("/__mock__/faults", data='{"path": "/x", "status": 503', content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400 and answer.get_json()["code"] == "mock_invalid_json"
    assert site.faults.all() == []
