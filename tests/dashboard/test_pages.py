"""Every dashboard page renders, for the default site and an isolated one, and looking at the
dashboard neither fills the journal nor trips a fault (its reads run below those layers)."""
import re

import pytest

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.dashboard.data import COLLECTIONS

KEY = {"MEMBERPRESS-API-KEY": "mock-mp-api-key"}


def pages(prefix: str = "") -> list[str]:
    found = [f"{prefix}/__mock__/", f"{prefix}/__mock__/ui/requests", f"{prefix}/__mock__/ui/webhooks",
             f"{prefix}/__mock__/ui/data", f"{prefix}/__mock__/ui/faults"]
    return found + [f"{prefix}/__mock__/ui/data/{c.api}/{c.name}" for c in COLLECTIONS]


def links(html: str, pattern: str) -> list[str]:
    return re.findall(r'href="([^"]*' + pattern + r'[^"]*)"', html)


@pytest.mark.parametrize("prefix", ["", "/sites/other"])
def test_every_page_and_each_first_object_renders(client, prefix):
    if prefix:
        client.post("/__mock__/sites", json={"name": "other", "seed": 2})
    client.get(f"{prefix}/wp-json/mp/v1/members", headers=KEY)
    for path in pages(prefix):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.mimetype == "text/html" and "</html>" in page.get_data(as_text=True)
    for collection in COLLECTIONS:
        html = client.get(f"{prefix}/__mock__/ui/data/{collection.api}/{collection.name}").get_data(as_text=True)
        first = links(html, f"/ui/data/{collection.api}/{collection.name}/")[0]
        assert first.startswith(f"{prefix}/__mock__/")
        shown = client.get(first)
        assert shown.status_code == 200 and "answers (200)" in shown.get_data(as_text=True), first
    entry = links(client.get(f"{prefix}/__mock__/ui/requests").get_data(as_text=True), "/ui/requests/")[0]
    assert client.get(entry).status_code == 200


def test_an_isolated_sites_overview_shows_its_own_credentials(client):
    made = client.post("/__mock__/sites", json={"name": "mine"}).get_json()
    html = client.get("/sites/mine/__mock__/").get_data(as_text=True)
    assert made["mp_api_key"] in html and made["admin"]["application_password"] in html
    assert "mock-mp-api-key" not in html
    assert 'action="/sites/mine/__mock__/reset"' in html        # forms act on the site shown


def test_missing_things_are_404_pages(client):
    for path in ("/__mock__/ui/requests/99999", "/__mock__/ui/data/memberpress/members/999999",
                 "/__mock__/ui/data/pmpro/orders/x", "/__mock__/ui/data/nope/members", "/__mock__/ui/data/pmpro/levels/0"):
        page = client.get(path)
        assert page.status_code == 404 and page.mimetype == "text/html", path


def test_the_journal_page_filters_as_the_route_does(client):
    client.get("/wp-json/mp/v1/members", headers=KEY)
    client.get("/wp-json/mp/v1/memberships", headers=KEY)
    client.get("/wp-json/mp/v1/members")    # 401
    html = client.get("/__mock__/ui/requests?path=members&status=4xx").get_data(as_text=True)
    assert len(links(html, "/ui/requests/")) // 2 == client.get(
        "/__mock__/requests/count?path=*members*&status=4xx").get_json()["count"] == 1
    bad = client.get("/__mock__/ui/requests?status=abc")
    assert bad.status_code == 200 and "status is a code such as 503" in bad.get_data(as_text=True)
    assert 'http-equiv="refresh"' in client.get("/__mock__/ui/requests?refresh=on").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in client.get("/__mock__/ui/requests").get_data(as_text=True)


def test_the_journal_page_says_when_the_journal_is_off():
    client = create_app(Config(db=":memory:", journal_size=0)).test_client()
    assert "The request journal is off" in client.get("/__mock__/ui/requests").get_data(as_text=True)


def test_looking_neither_journals_nor_trips_faults(client, site):
    client.post("/__mock__/faults", json={"path": "/wp-json/*", "status": 503})
    before = site.journal.count({})
    for path in pages():
        assert client.get(path).status_code == 200, path
    assert site.journal.count({}) == before
    html = client.get("/__mock__/ui/data/memberpress/members").get_data(as_text=True)
    assert "answered" not in html and len(links(html, "/ui/data/memberpress/members/")) == 20
    assert client.get("/wp-json/mp/v1/members", headers=KEY).status_code == 503   # the fault is there


def test_no_dashboard_leaves_the_json_routes():
    client = create_app(Config(db=":memory:", dashboard=False)).test_client()
    assert client.get("/__mock__/").status_code == 404
    assert client.get("/__mock__/faults").status_code == 200


def test_forms_come_back_to_the_page_they_are_on(client):
    client.post("/__mock__/sites", json={"name": "back"})
    for path in ("/__mock__/ui/faults", "/sites/back/__mock__/ui/webhooks?status=failed", "/__mock__/"):
        html = client.get(path).get_data(as_text=True)
        found = set(re.findall(r'name="_next" value="([^"]*)"', html))
        assert found == {path.replace("?", "?").replace("&", "&amp;")}, (path, found)
