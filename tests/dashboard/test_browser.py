"""The dashboard in a real browser (Debian's Chromium, headless, driven by Playwright) against a
real `membermock serve`: every page loads, shows what the API answers, and its forms work with
JavaScript off. Screenshots go to a temporary folder, or to $MEMBERMOCK_SCREENSHOTS
(`make screenshots` writes docs/dashboard/)."""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.dashboard.browser import VIEWPORT, launch, playwright_or_skip
from tests.server.harness import ADMIN_PASSWORD, API_KEY, free_port, running
from tests.webhooks.listener import Listener

NOW = "2027-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def browser():
    sync_playwright = playwright_or_skip()
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    with running(tmp_path_factory.mktemp("dash") / "site.sqlite3", extra=["--now", NOW, "--frozen"]) as srv:
        _traffic(srv)
        yield srv


@pytest.fixture(scope="module")
def listener(tmp_path_factory):
    with Listener(tmp_path_factory.mktemp("hooks") / "got.jsonl") as running_listener:
        yield running_listener


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("MEMBERMOCK_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser):
    """A page with JavaScript off: the dashboard has to work without it."""
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    yield context.new_page()
    context.close()


def _traffic(server) -> None:
    mp = {"MEMBERPRESS-API-KEY": API_KEY}
    for n in range(1, 8):
        requests.get(server.url(f"/wp-json/mp/v1/members?page={n}&per_page=5"), headers=mp, timeout=10)
    requests.get(server.url("/wp-json/mp/v1/transactions?status=complete"), headers=mp, timeout=10)
    requests.get(server.url("/wp-json/pmpro/v1/membership_levels"), auth=("admin", ADMIN_PASSWORD), timeout=10)
    requests.get(server.url("/wp-json/wp-abilities/v1/abilities"), auth=("admin", ADMIN_PASSWORD), timeout=10)
    requests.get(server.url("/wp-json/mp/v1/members"), timeout=10)                       # 401
    requests.post(server.url("/wp-json/mp/v1/members"), headers=mp, json={"email": "x"}, timeout=10)   # 400


def api(server, path: str, **kw):
    answer = requests.get(server.url(path), timeout=10, **kw)
    answer.raise_for_status()
    return answer


def shoot(page, shots: Path, name: str) -> Path:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    return path


def cells(page, selector: str, column: int = 1) -> list[str]:
    return [t.strip() for t in page.locator(f"{selector} > tbody > tr > td:nth-child({column})").all_inner_texts()]


def notice(page) -> dict:
    query = parse_qs(urlsplit(page.url).query)
    return {k: v[0] for k, v in query.items() if k in ("done", "error")}


# -- every page, against the API's own answers ------------------------------------------------------

def test_site_form_makes_a_site_with_a_dashboard_of_its_own(server, page):
    page.goto(server.url("/__mock__/"))
    page.fill("input[name=name]", "browser-site")
    page.click("button:text('Create a site')")
    assert '"name":"browser-site"' in notice(page)["done"]
    made = api(server, "/__mock__/sites/browser-site").json()
    page.click("table.list a:text('browser-site')")
    assert urlsplit(page.url).path == "/sites/browser-site/__mock__/"
    text = page.inner_text("main")
    assert made["mp_api_key"] in text and made["admin"]["application_password"] in text and API_KEY not in text


def test_overview_shows_the_sites_credentials_users_and_clock(server, page, shots):
    answer = page.goto(server.url("/__mock__/"))
    assert answer.status == 200 and page.title().startswith("Overview")
    text = page.inner_text("main")
    assert API_KEY in text and f"admin:{ADMIN_PASSWORD}" in text and server.base in text
    users = api(server, "/__mock__/users").json()
    assert cells(page, "section:has(h2:text('Users')) table.list", 2) == [u["login"] for u in users]
    assert page.inner_text("header .clock").split()[0] == api(server, "/__mock__/clock").json()["now"] == NOW
    shoot(page, shots, "overview")


def test_requests_page_lists_the_journal_newest_first(server, page, shots):
    assert page.goto(server.url("/__mock__/ui/requests")).status == 200
    journal = api(server, "/__mock__/requests?limit=100").json()
    assert cells(page, "table.journal") == [str(e["id"]) for e in reversed(journal)]
    assert cells(page, "table.journal", 7) == [str(e["status"]) for e in reversed(journal)]
    shoot(page, shots, "requests")

    page.select_option("select[name=api]", "memberpress")
    page.fill("input[name=status]", "4xx")
    page.click("form.filters button[type=submit]")
    wanted = api(server, "/__mock__/requests?api=memberpress&status=4xx").json()
    assert cells(page, "table.journal") == [str(e["id"]) for e in reversed(wanted)] and len(wanted) == 2

    entry = wanted[-1]
    page.click(f"table.journal a[href$='/ui/requests/{entry['id']}'] >> nth=0")
    detail = page.inner_text("main")
    assert entry["path"] in detail and str(entry["status"]) in detail and "Basic" not in detail
    assert json.loads(page.inner_text("pre.json")) == json.loads(entry["body"])
    shoot(page, shots, "request")


@pytest.mark.parametrize("collection", ["members", "memberships", "transactions", "subscriptions"])
def test_memberpress_data_is_what_its_routes_answer(server, page, collection, shots):
    assert page.goto(server.url(f"/__mock__/ui/data/memberpress/{collection}")).status == 200
    listed = api(server, f"/wp-json/mp/v1/{collection}?page=1&per_page=20", headers={"MEMBERPRESS-API-KEY": API_KEY})
    assert cells(page, "table.list") == [str(o["id"]) for o in listed.json()]
    assert f"{listed.headers['X-WP-Total']} · from" in page.inner_text("h2")
    if collection == "transactions":
        shoot(page, shots, "data")
    rows = listed.json()
    if int(listed.headers["X-WP-Total"]) > 20:
        page.click("nav.pager a:text('next ›')")
        rows = api(server, f"/wp-json/mp/v1/{collection}?page=2&per_page=20",
                   headers={"MEMBERPRESS-API-KEY": API_KEY}).json()
        assert cells(page, "table.list") == [str(o["id"]) for o in rows]
    page.click("table.list tbody tr:first-child td:first-child a")
    shown = json.loads(page.inner_text("pre.json"))
    assert str(shown["id"]) == str(rows[0]["id"])
    assert shown == api(server, f"/wp-json/mp/v1/{collection}/{rows[0]['id']}",
                        headers={"MEMBERPRESS-API-KEY": API_KEY}).json()


def _other_api(server, collection: str, row: dict):
    admin = {"auth": ("admin", ADMIN_PASSWORD)}
    if collection == "pmpro/levels":
        return api(server, f"/wp-json/pmpro/v1/membership_level?id={row['id']}", **admin).json()
    if collection == "pmpro/members":
        return api(server, f"/wp-json/pmpro/v1/get_membership_levels_for_user?user_id={row['id']}", **admin).json()
    if collection == "pmpro/orders":
        return api(server, f"/wp-json/pmpro/v1/order?code={row['code']}", **admin).json()
    ability = "plans-get" if collection.endswith("plans") else "user-memberships-get"
    return api(server, f"/wp-json/wp-abilities/v1/abilities/woocommerce-memberships/{ability}/run?input={row['id']}",
               **admin).json()


@pytest.mark.parametrize("collection", ["pmpro/levels", "pmpro/members", "pmpro/orders", "wc-memberships/plans",
                                        "wc-memberships/user-memberships"])
def test_pmpro_and_woocommerce_data_is_what_their_routes_answer(server, page, collection, shots):
    assert page.goto(server.url(f"/__mock__/ui/data/{collection}")).status == 200
    headers = [h.strip() for h in page.locator("table.list thead th").all_inner_texts()]
    first = dict(zip(headers, [c.strip() for c in page.locator("table.list tbody tr:first-child td").all_inner_texts()]))
    if collection == "pmpro/levels":
        levels = api(server, "/wp-json/pmpro/v1/membership_levels", auth=("admin", ADMIN_PASSWORD)).json()
        assert cells(page, "table.list") == sorted(levels, key=int)[:20]
        assert cells(page, "table.list", 2) == [levels[k]["name"] for k in sorted(levels, key=int)][:20]
    page.click("table.list tbody tr:first-child td:first-child a")
    assert json.loads(page.inner_text("pre.json")) == _other_api(server, collection, first)
    if collection == "pmpro/orders":
        shoot(page, shots, "object")


def test_data_index_counts_agree_with_the_api(server, page):
    assert page.goto(server.url("/__mock__/ui/data")).status == 200
    text = page.inner_text("main")
    for collection in ("members", "memberships", "transactions", "subscriptions"):
        total = api(server, f"/wp-json/mp/v1/{collection}?per_page=1", headers={"MEMBERPRESS-API-KEY": API_KEY})
        assert re.search(rf"\b{total.headers['X-WP-Total']}\s+{collection}\b", text), collection
    levels = api(server, "/wp-json/pmpro/v1/membership_levels", auth=("admin", ADMIN_PASSWORD)).json()
    assert re.search(rf"\b{len(levels)}\s+levels\b", text)


# -- forms, with JavaScript off ------------------------------------------------------------------------

def test_fault_form_sets_a_fault_the_api_and_the_plugins_routes_see(server, page, shots):
    page.goto(server.url("/__mock__/ui/faults"))
    form = page.locator("#request-fault")
    form.locator("select[name=method]").select_option("GET")
    form.locator("input[name=path]").fill("/wp-json/mp/v1/memberships*")
    form.locator("input[name=status]").fill("503")
    form.locator("input[name=times]").fill("1")
    form.locator("button[type=submit]").click()
    assert urlsplit(page.url).path == "/__mock__/ui/faults" and "→ 201" in notice(page)["done"]
    assert "→ 201" in page.inner_text("p.notice.done")
    (fault,) = api(server, "/__mock__/faults").json()
    assert {k: fault[k] for k in ("method", "path", "status", "times", "remaining")} == \
        {"method": "GET", "path": "/wp-json/mp/v1/memberships*", "status": 503, "times": 1, "remaining": 1}
    row = page.locator("table.faults tbody tr")
    assert row.count() == 1 and "status 503" in row.inner_text() and "/wp-json/mp/v1/memberships*" in row.inner_text()
    shoot(page, shots, "faults")

    mp = {"MEMBERPRESS-API-KEY": API_KEY}
    assert requests.get(server.url("/wp-json/mp/v1/memberships"), headers=mp, timeout=10).status_code == 503
    assert requests.get(server.url("/wp-json/mp/v1/memberships"), headers=mp, timeout=10).status_code == 200
    page.reload()
    assert cells(page, "table.faults", 6) == ["1"]        # applied once

    page.locator("#webhook-fault input[name=webhook]").fill("transaction-*")
    page.locator("#webhook-fault input[name=duplicate]").check()
    page.locator("#webhook-fault input[name=delay_ms]").fill("10")
    page.locator("#webhook-fault button[type=submit]").click()
    assert "exactly one of" in notice(page)["error"] and page.locator("p.notice.error").count() == 1
    assert len(api(server, "/__mock__/faults").json()) == 1       # refused whole

    page.locator("table.faults tbody tr button:text('Remove')").click()
    assert "→ 200" in notice(page)["done"] and api(server, "/__mock__/faults").json() == []
    assert "No fault" in page.inner_text("main")


def test_trigger_form_sends_an_event_and_resend_sends_it_again(server, page, listener, shots):
    for url, event in ((listener.url, "all"), (f"http://127.0.0.1:{free_port()}/nobody-listens", "login")):
        subscribed = requests.post(server.url("/wp-json/mp/v1/webhooks/subscribe"), json={"url": url, "event": event},
                                   headers={"MEMBERPRESS-API-KEY": API_KEY}, timeout=10)
        assert subscribed.status_code == 201
    member = api(server, "/wp-json/mp/v1/members?per_page=1", headers={"MEMBERPRESS-API-KEY": API_KEY}).json()[0]
    page.goto(server.url("/__mock__/ui/webhooks"))
    assert listener.url in page.inner_text("section:has(h2:text('Subscriptions'))")
    page.fill("#trigger input[name=id]", str(member["id"]))
    page.click("#trigger button:text-is('login')")
    assert "→ 202" in notice(page)["done"]
    (got,) = listener.wait_for(1)
    assert got["event"] == "login" and str(got["body"]["data"]["id"]) == str(member["id"])

    delivery = _delivered(server, got["headers"]["x-membermock-delivery-id"])
    _attempted(server, "nobody-listens")
    page.goto(server.url("/__mock__/ui/webhooks"))
    rows = page.locator("table.deliveries > tbody > tr")
    assert cells(page, "table.deliveries") == [str(d["id"]) for d in reversed(api(server, "/__mock__/webhooks/deliveries").json())]
    row = rows.filter(has=page.locator(f"td:first-child:text-is('{delivery['id']}')"))
    assert "delivered" in row.inner_text() and "200" in row.inner_text()
    failing = rows.filter(has_text="nobody-listens")
    assert "pending" in failing.inner_text() and "err" in failing.inner_text() and "ConnectionError" in failing.inner_text()
    shoot(page, shots, "webhooks")

    row.locator("button:text('Re-send')").click()
    assert "→ 202" in notice(page)["done"]
    first, again = listener.wait_for(2)
    assert again["headers"]["x-membermock-delivery-id"] == first["headers"]["x-membermock-delivery-id"]
    assert again["headers"]["x-membermock-attempt"] == "2"


def _attempted(server, url_part: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(url_part in d["url"] and d["attempts"] for d in api(server, "/__mock__/webhooks/deliveries").json()):
            return
        time.sleep(0.1)
    raise AssertionError(f"no attempt to deliver to {url_part}")


def _delivered(server, delivery_id: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for delivery in api(server, "/__mock__/webhooks/deliveries").json():
            if delivery["delivery_id"] == delivery_id and delivery["status"] == "delivered":
                return delivery
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery_id} not recorded as delivered")


def test_clock_form_advances_the_clock(server, page):
    page.goto(server.url("/__mock__/ui/faults"))
    page.click("#clock button:text('+1 day')")
    assert "→ 200" in notice(page)["done"]
    now = api(server, "/__mock__/clock").json()["now"]
    assert now == "2027-01-02T00:00:00Z" and page.inner_text("header .clock").split()[0] == now
