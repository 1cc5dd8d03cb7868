"""PMPro routes the plugin registers beyond its documentation: me, recent_memberships, recent_orders,
checkout_levels, quick_search and email_log_popup, answered as PMPro 3.8.4's includes/rest-api.php
answers them (the test client checks every answer against the contract too)."""
from mock_server.pmpro import domain

B = "/wp-json/pmpro/v1/"


def test_me_names_the_caller_or_says_false(mock):
    assert mock.get(B + "me").json == {"success": True, "data": {"username": False}}
    alice = mock.site.user_by("user_login", "alice")
    assert mock.get(B + "me", headers=mock.basic("alice")).json["data"]["username"] == alice["display_name"]
    assert mock.post(B + "me", headers=mock.basic("admin")).status_code == 404, "GET only"


def test_recent_memberships_newest_first_first_row_in_iso(mock):
    admin = mock.basic("membershipmanager")
    rows = mock.get(B + "recent_memberships", query_string={"limit": 4}, headers=admin).json
    stored = sorted((m for m in mock.site.store.all(domain.MEMBERSHIP) if m["status"] == "active"),
                    key=lambda m: (m["modified"], m["id"]), reverse=True)[:4]
    assert [r["id"] for r in rows] == [str(m["user_id"]) for m in stored]
    assert rows[0]["modified"].endswith("+00:00") and "T" in rows[0]["modified"]
    assert all(" " in r["modified"] for r in rows[1:]), "only the first row is reformatted"
    assert len(mock.get(B + "recent_memberships", headers=admin).json) == 1, "limit defaults to 1"
    old = mock.get(B + "recent_memberships", query_string={"limit": 50, "level_status": "cancelled,expired,changed"},
                   headers=admin).json
    assert old and {r["status"] for r in old} <= {"cancelled", "expired", "changed"}
    assert mock.get(B + "recent_memberships", query_string={"level_status": "nothing"}, headers=admin).json == []
    assert mock.get(B + "recent_memberships", headers=mock.basic("alice")).status_code == 403
    assert mock.get(B + "recent_memberships").status_code == 401


def test_recent_orders(mock):
    rows = mock.get(B + "recent_orders", query_string={"limit": 3}, headers=mock.basic("admin")).json
    newest = max(mock.site.store.all(domain.ORDER), key=lambda o: (o["timestamp"], o["id"]))
    assert len(rows) == 3 and rows[0]["code"] == newest["code"] and rows[0]["timestamp"].endswith("+00:00")
    assert rows[0]["billing_name"] == newest["billing"]["name"] and rows[0]["total"] == newest["total"]
    assert mock.get(B + "recent_orders", query_string={"limit": 0}, headers=mock.basic("admin")).json == []
    assert mock.get(B + "recent_orders", headers=mock.basic("editor")).status_code == 403


def test_checkout_levels_the_deprecated_plural(mock):
    r = mock.get(B + "checkout_levels", query_string={"level": "2+3"})
    assert list(r.json) == ["initial_payment", "2", "initial_payment_formatted"], "one id: the route intvals '2+3'"
    assert r.json["initial_payment"] == 19 and r.json["initial_payment_formatted"] == "&#36;19.00"
    assert r.json["2"]["confirmation"] == "", "hidden from anonymous callers"
    admin = mock.get(B + "checkout_levels", query_string={"level_id": 2}, headers=mock.basic("admin")).json
    assert admin["2"]["confirmation"]
    coded = mock.get(B + "checkout_levels", query_string={"level": 2, "discount_code": "SPRING25"}).json
    assert coded["2"]["discount_code"] == "SPRING25" and coded["initial_payment"] < 19
    default = mock.get(B + "checkout_levels", query_string={"level": "abc"}).json
    assert default["0"]["id"] == str(domain.default_level_id(mock.site))
    assert mock.get(B + "checkout_levels", query_string={"level": 999}).json["999"] is None
    assert mock.get(B + "checkout_levels").json == "No levels found."


def test_quick_search_shows_each_section_to_who_may_see_it(mock):
    admin = mock.get(B + "quick_search", query_string={"search": "ali"}, headers=mock.basic("admin")).json
    assert admin["success"] is True and "alice@example.com" in admin["data"] and "Users</th>" in admin["data"]
    anonymous = mock.get(B + "quick_search", query_string={"search": "ali"}).json["data"]
    assert "alice@example.com" not in anonymous and "Search Paid Memberships Pro Website" in anonymous
    levels = mock.get(B + "quick_search", query_string={"search": "Monthly", "type": "levels"},
                      headers=mock.basic("admin")).json["data"]
    assert "Monthly Pro" in levels and "rowgroup" not in levels, "no section headings for one type"
    nothing = mock.get(B + "quick_search", query_string={"search": "zzzz", "type": "users"},
                       headers=mock.basic("admin")).json["data"]
    assert "No results found." in nothing
    assert mock.get(B + "quick_search").status_code == 400


def test_email_log_popup(mock):
    admin = mock.basic("admin")
    html = mock.get(B + "email_log_popup", query_string={"log_id": 1}, headers=admin).json["html"]
    log = domain.email_log(mock.site, 1)
    assert log["email_to"] in html and log["subject"] in html
    missing = mock.get(B + "email_log_popup")
    assert missing.status_code == 400 and missing.json["code"] == "rest_missing_callback_param", "checked before auth"
    assert mock.get(B + "email_log_popup", query_string={"log_id": "abc"}, headers=admin).json == {
        "error": "No log ID provided."}
    assert mock.get(B + "email_log_popup", query_string={"log_id": 99999}, headers=admin).status_code == 404
    assert mock.get(B + "email_log_popup", query_string={"log_id": 1},
                    headers=mock.basic("membershipmanager")).status_code == 403
