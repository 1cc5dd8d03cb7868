"""Paid Memberships Pro pmpro/v1 on the mock: every route, the capability table, PMPro's own answers."""
import csv
import io
from urllib.parse import urlsplit

import pytest

from mock_server import operations
from mock_server.pmpro import domain

B = "/wp-json/pmpro/v1/"


def uid(mock, login):
    return mock.site.user_by("user_login", login)["id"]


def post_id(mock, title):
    return next(p["id"] for p in mock.site.store.all(domain.POST) if p["post_title"] == title)


def level_id(mock, name):
    return next(lv["id"] for lv in mock.site.store.all(domain.LEVEL) if lv["name"] == name)


def order_of(mock, login, owned=True):
    user = uid(mock, login)
    return next(o for o in mock.site.store.all(domain.ORDER) if (int(o["user_id"]) == user) == owned)


# -- permission matrix, written by hand from the plugin's code ---------------------------------
#
# Who gets past the permission step of each route, as PMPro 3.8.4's includes/rest-api.php decides
# it (strangerstudios/paid-memberships-pro): pmpro_rest_api_get_permissions_check and its
# $route_caps table, pmpro_get_rest_api_methods (DELETE off), and the export routes' own callbacks
# (PMPro_Exports::user_can_export). Written without the contract or the mock's role table, so a
# mistake in either shows here. The users are the mock's seeded ones: alice a subscriber, editor
# (edit_others_posts), shopmanager (edit_posts, manage_woocommerce), membershipmanager (PMPro's
# member, level, code, order and CSV caps, not pmpro_reports), admin (everything).
#
# Checked on the real site (WordPress 6.1 + PMPro 3.8.4, ../shared/realpeer) on 2026-12-07, with
# users of those five capability sets and the same kind of arguments: every row agreed.

ANON, ALICE, EDITOR, SHOP, MANAGER, ADMIN = None, "alice", "editor", "shopmanager", "membershipmanager", "admin"
LOGINS = (ANON, ALICE, EDITOR, SHOP, MANAGER, ADMIN)
EVERYONE = frozenset(LOGINS)
NOBODY = frozenset()
MANAGERS = frozenset({MANAGER, ADMIN})   # hold pmpro_edit_members / _membershiplevels / _discountcodes / _orders
CHECK = "rest-api.php pmpro_rest_api_get_permissions_check"

# operationId -> (logins let through, where the code says so)
PERMISSIONS = {
    "hasMembershipAccess": (MANAGERS, f"{CHECK}: $route_caps has_membership_access = pmpro_edit_members"),
    "getMembershipLevelForUser": (MANAGERS, f"{CHECK}: $route_caps get_membership_level_for_user = pmpro_edit_members"),
    "getMembershipLevelsForUser": (MANAGERS, f"{CHECK}: $route_caps get_membership_levels_for_user = pmpro_edit_members"),
    "changeMembershipLevel": (MANAGERS, f"{CHECK}: $route_caps change_membership_level = pmpro_edit_members"),
    "changeMembershipLevelPut": (MANAGERS, f"{CHECK}: the same row; methods 'POST,PUT,PATCH'"),
    "changeMembershipLevelPatch": (MANAGERS, f"{CHECK}: the same row; methods 'POST,PUT,PATCH'"),
    "cancelMembershipLevel": (MANAGERS, f"{CHECK}: $route_caps cancel_membership_level = pmpro_edit_members"),
    "cancelMembershipLevelPut": (MANAGERS, f"{CHECK}: the same row; methods 'POST,PUT,PATCH'"),
    "cancelMembershipLevelPatch": (MANAGERS, f"{CHECK}: the same row; methods 'POST,PUT,PATCH'"),
    "getMembershipLevel": (EVERYONE, f"{CHECK}: $route_caps membership_level GET = true"),
    "createMembershipLevel": (MANAGERS, f"{CHECK}: $route_caps membership_level POST = pmpro_membershiplevels"),
    "updateMembershipLevel": (MANAGERS, f"{CHECK}: $route_caps membership_level PUT = pmpro_membershiplevels"),
    "patchMembershipLevel": (MANAGERS, f"{CHECK}: $route_caps membership_level PATCH = pmpro_membershiplevels"),
    "deleteMembershipLevel": (NOBODY, f"{CHECK}: DELETE is not in pmpro_get_rest_api_methods() by default"),
    "listMembershipLevels": (EVERYONE, f"{CHECK}: $route_caps membership_levels = true"),
    "getDiscountCode": (MANAGERS, f"{CHECK}: $route_caps discount_code = pmpro_discountcodes"),
    "createDiscountCode": (MANAGERS, f"{CHECK}: $route_caps discount_code = pmpro_discountcodes"),
    "updateDiscountCode": (MANAGERS, f"{CHECK}: $route_caps discount_code = pmpro_discountcodes"),
    "patchDiscountCode": (MANAGERS, f"{CHECK}: $route_caps discount_code = pmpro_discountcodes"),
    # an order alice does not own: pmpro_rest_api_permissions_get_order lets owners read only their own
    "getOrder": (MANAGERS, f"{CHECK}: $route_caps order = pmpro_orders; pmpro_rest_api_permissions_get_order"),
    "getCheckoutLevel": (EVERYONE, f"{CHECK}: $route_caps checkout_level = true"),
    # a page by admin: edit_post maps to edit_others_pages, which an editor has and edit_posts is not
    "getPostRestrictions": (frozenset({EDITOR, ADMIN}), f"{CHECK}: $route_caps post_restrictions = edit_post on post_id"),
    "setPostRestrictions": (frozenset({EDITOR, ADMIN}), f"{CHECK}: $route_caps post_restrictions = edit_post on post_id"),
    "setPostRestrictionsPut": (frozenset({EDITOR, ADMIN}), f"{CHECK}: the same row; methods EDITABLE"),
    "setPostRestrictionsPatch": (frozenset({EDITOR, ADMIN}), f"{CHECK}: the same row; methods EDITABLE"),
    # type=members: user_can_export('members') is pmpro_memberslistcsv or manage_options
    "startExport": (MANAGERS, "rest-api.php export/start permission_callback -> PMPro_Exports::user_can_export"),
    "startExportPut": (MANAGERS, "rest-api.php export/start permission_callback (methods EDITABLE)"),
    "startExportPatch": (MANAGERS, "rest-api.php export/start permission_callback (methods EDITABLE)"),
    "getExportStatus": (MANAGERS, "rest-api.php export/status permission_callback -> PMPro_Exports::user_can_export"),
    "getPmproMe": (EVERYONE, f"{CHECK}: $route_caps me = true"),
    "getRecentMemberships": (MANAGERS, f"{CHECK}: $route_caps recent_memberships = pmpro_edit_members"),
    "getRecentOrders": (MANAGERS, f"{CHECK}: $route_caps recent_orders = pmpro_orders"),
    "getCheckoutLevels": (EVERYONE, f"{CHECK}: $route_caps checkout_levels = true"),
    "quickSearch": (EVERYONE, f"{CHECK}: $route_caps quick_search = true (results checked per type)"),
    "getEmailLogPopup": (frozenset({ADMIN}), f"{CHECK}: $route_caps email_log_popup = pmpro_reports"),
    "describePmproNamespace": (EVERYONE, "WordPress core: the namespace index has no permission callback"),
}


def test_the_permission_table_covers_every_route():
    assert set(PERMISSIONS) == {op.op_id for op in operations.load("pmpro")}


def sample_params(mock, op):
    """Arguments that get each route past its own checks, so only the permission decides."""
    alice, carol = uid(mock, "alice"), uid(mock, "carol")
    lounge = post_id(mock, "Members Lounge")
    route = op.path.removeprefix("/wp-json/pmpro/v1/")
    return {
        "has_membership_access": {"post_id": lounge, "user_id": alice},
        "get_membership_level_for_user": {"user_id": alice},
        "get_membership_levels_for_user": {"user_id": alice},
        "change_membership_level": {"user_id": carol, "level_id": 1},
        "cancel_membership_level": {"user_id": alice, "level_id": 2},
        "membership_level": {"id": 1} if op.method != "POST" else {"name": "Gold"},
        "membership_levels": {},
        "discount_code": {"code": "SPRING25"},
        "order": {"code": order_of(mock, "alice", owned=False)["code"]},
        "checkout_level": {"level_id": 2},
        "post_restrictions": {"post_id": lounge, "level_ids": [2]} if op.method != "GET" else {"post_id": lounge},
        "export/start": {"type": "members"},
        "export/status": {"type": "members"},
        "me": {},
        "recent_memberships": {"limit": 2},
        "recent_orders": {"limit": 2},
        "checkout_levels": {"level": 2},
        "quick_search": {"search": "a"},
        "email_log_popup": {"log_id": 1},
        "/wp-json/pmpro/v1": {},
    }[route]


def send(mock, op, params, headers):
    if op.method in ("GET", "DELETE"):
        return mock.request(op.method, op.path, query_string=params, headers=headers)
    return mock.request(op.method, op.path, json=params, headers=headers)


@pytest.mark.parametrize("op", operations.load("pmpro"), ids=lambda op: op.op_id)
def test_permission_matrix_follows_the_plugin(make_mock, op):
    allowed, source = PERMISSIONS[op.op_id]
    mock = make_mock()
    for login in LOGINS:
        params = sample_params(mock, op)
        r = send(mock, op, params, mock.basic(login) if login else {})
        body = r.get_json(silent=True)
        denied = r.status_code in (401, 403) and isinstance(body, dict) and body.get("code") == "rest_forbidden"
        if login in allowed:
            assert not denied, (op.op_id, login, r.status_code, body, source)
        else:
            assert denied and r.status_code == (401 if login is None else 403), (op.op_id, login, r.status_code, body, source)


def test_bad_credentials_count_as_anonymous(mock):
    """As on a real WordPress site: a public route answers, a protected one refuses an anonymous caller."""
    wrong = {"Authorization": "Basic YWRtaW46d3Jvbmc="}
    assert mock.get(B + "membership_levels", headers=wrong).status_code == 200
    r = mock.get(B + "get_membership_level_for_user", query_string={"user_id": 2}, headers=wrong, check=False)
    assert r.status_code == 401 and r.get_json()["code"] == "rest_forbidden"


def test_export_type_outside_the_table_is_refused(mock):
    r = mock.post(B + "export/start", json={"type": "subscriptions"}, headers=mock.basic("admin"), check=False)
    assert r.status_code == 403 and r.get_json()["code"] == "rest_forbidden"


# -- members ----------------------------------------------------------------------------

def test_has_membership_access_follows_restrictions_and_levels(mock):
    admin = mock.basic("membershipmanager")
    alice, carol = uid(mock, "alice"), uid(mock, "carol")
    course = post_id(mock, "Course: Getting Started")      # Monthly/Annual Pro
    coaching = post_id(mock, "Coaching Workbook")           # Premium Coaching only
    about = post_id(mock, "About Us")                       # open
    ask = lambda p, **who: mock.get(B + "has_membership_access", query_string={"post_id": p, **who},
                                    headers=admin).get_json()
    assert ask(course, user_id=alice) is True
    assert ask(coaching, user_id=alice) is False
    assert ask(about, user_id=carol) is True
    assert ask(course, user_id=carol) is False
    assert ask(course, email="alice@example.com") is True
    assert ask(course, email="nobody@example.com") is False
    r = mock.get(B + "has_membership_access", query_string={"post_id": course}, headers=admin)
    assert r.status_code == 404 and r.get_json() == "No user information passed through."


def test_level_for_user_and_false_for_unknown(mock):
    h = mock.basic("admin")
    alice = uid(mock, "alice")
    one = mock.get(B + "get_membership_level_for_user", query_string={"user_id": alice}, headers=h).get_json()
    assert one["id"] == str(level_id(mock, "Monthly Pro")) and one["ID"] == one["id"]
    assert one["startdate"].isdigit() and one["enddate"] is None
    assert one["initial_payment"] == 19 and isinstance(one["initial_payment"], int)  # json_encode(19.0) is 19
    legacy = mock.get(B + "get_membership_level_for_user", query_string={"id": alice}, headers=h).get_json()
    assert legacy == one
    by_mail = mock.get(B + "get_membership_level_for_user", query_string={"email": "alice@example.com"}, headers=h)
    assert by_mail.get_json() == one
    for query in ({"email": "ghost@example.com"}, {}, {"user_id": "abc"}):
        assert mock.get(B + "get_membership_level_for_user", query_string=query, headers=h).get_json() is False
        assert mock.get(B + "get_membership_levels_for_user", query_string=query, headers=h).get_json() is False
    carol = uid(mock, "carol")
    assert mock.get(B + "get_membership_level_for_user", query_string={"user_id": carol}, headers=h).get_json() is False
    assert mock.get(B + "get_membership_levels_for_user", query_string={"user_id": carol}, headers=h).get_json() == []
    levels = mock.get(B + "get_membership_levels_for_user", query_string={"user_id": alice}, headers=h).get_json()
    assert [lv["id"] for lv in levels] == [one["id"]]


def test_change_level_gives_replaces_and_removes(mock):
    h = mock.basic("membershipmanager")
    carol = uid(mock, "carol")
    annual = level_id(mock, "Annual Pro")
    levels = lambda: mock.get(B + "get_membership_levels_for_user", query_string={"user_id": carol},
                              headers=h).get_json()
    assert mock.post(B + "change_membership_level", json={"user_id": carol, "level_id": annual},
                     headers=h).get_json() is True
    assert [lv["id"] for lv in levels()] == [str(annual)]
    again = mock.put(B + "change_membership_level", json={"user_id": carol, "level_id": annual}, headers=h)
    assert again.status_code == 200 and again.get_data() == b""       # null: WordPress sends no body
    monthly = level_id(mock, "Monthly Pro")
    assert mock.patch(B + "change_membership_level", data={"email": "carol@example.com", "level_id": monthly},
                      headers=h).get_json() is True
    assert [lv["id"] for lv in levels()] == [str(monthly)]
    assert mock.post(B + "change_membership_level", json={"user_id": carol, "level_id": 999}, headers=h).get_json() is False
    assert mock.post(B + "change_membership_level", json={"user_id": carol, "level_id": 0}, headers=h).get_json() is True
    assert levels() == []


def test_change_level_errors_as_the_code_answers(mock):
    h = mock.basic("admin")
    r = mock.post(B + "change_membership_level", json={"level_id": 2}, headers=h)
    assert (r.status_code, r.get_json()) == (404, "No user information passed through.")
    r = mock.post(B + "change_membership_level", json={"email": "new@example.com", "level_id": 2}, headers=h)
    assert (r.status_code, r.get_json()) == (404, "No user found with that email address. Try the create_user parameter.")
    r = mock.post(B + "change_membership_level", json={"user_id": uid(mock, "admin"), "level_id": 2}, headers=h)
    assert (r.status_code, r.get_json()) == (403, "Sorry, you are not allowed to edit admin accounts.")
    r = mock.post(B + "change_membership_level", json={"email": "x@example.com", "level_id": 2, "create_user": "yes",
                                                        "user_login": "alice"}, headers=h)
    assert (r.status_code, r.get_json()) == (400, "Sorry, that username already exists!")
    r = mock.get(B + "change_membership_level", query_string={"user_id": 5, "level_id": 2}, headers=h)
    assert r.status_code == 404 and r.get_json()["code"] == "rest_no_route"


def test_change_level_with_create_user(mock):
    h = mock.basic("membershipmanager")
    monthly = level_id(mock, "Monthly Pro")
    r = mock.post(B + "change_membership_level", headers=h, json={
        "email": "dana.reyes@example.org", "level_id": monthly, "create_user": True, "first_name": "Dana",
        "last_name": "Reyes", "user_login": "danareyes", "user_url": "https://dana.example.org",
        "description": "Joined through the API"})
    assert r.status_code == 200 and r.get_json() is True
    user = mock.site.user_by("user_email", "dana.reyes@example.org")
    assert (user["user_login"], user["first_name"], user["last_name"], user["user_url"]) == \
        ("danareyes", "Dana", "Reyes", "https://dana.example.org")
    held = mock.get(B + "get_membership_level_for_user", query_string={"user_id": user["id"]}, headers=h).get_json()
    assert held["id"] == str(monthly)
    # without user_login the login is the email
    mock.post(B + "change_membership_level", headers=h,
              data={"email": "eli@example.net", "level_id": monthly, "create_user": "1"})
    assert mock.site.user_by("user_email", "eli@example.net")["user_login"] == "eli@example.net"


def test_cancel_level(mock):
    h = mock.basic("membershipmanager")
    alice, monthly = uid(mock, "alice"), level_id(mock, "Monthly Pro")
    assert mock.post(B + "cancel_membership_level", json={"user_id": alice, "level_id": 3}, headers=h).get_json() is False
    assert mock.post(B + "cancel_membership_level", json={"user_id": alice, "level_id": monthly},
                     headers=h).get_json() is True
    assert mock.get(B + "get_membership_levels_for_user", query_string={"user_id": alice}, headers=h).get_json() == []
    r = mock.post(B + "cancel_membership_level", json={"user_id": alice}, headers=h)
    assert (r.status_code, r.get_json()) == (400, "No membership level ID data.")
    r = mock.post(B + "cancel_membership_level", json={"level_id": 2}, headers=h)
    assert (r.status_code, r.get_json()) == (404, "No user information passed through.")


def test_response_type_json_envelopes(mock):
    h = mock.basic("admin")
    bob = uid(mock, "bob")
    r = mock.post(B + "change_membership_level", json={"user_id": bob, "level_id": 1, "response_type": "json"}, headers=h)
    assert r.get_json() == {"success": True, "data": {"user_id": bob, "level_changed": 1, "response": True, "status": 200}}
    r = mock.post(B + "change_membership_level", json={"level_id": 1, "response_type": "json"}, headers=h)
    assert r.status_code == 200 and r.get_json() == {
        "success": False, "data": {"email": None, "error": "No user information passed through."}}
    r = mock.post(B + "cancel_membership_level", json={"email": "bob@example.com", "level_id": 4,
                                                         "response_type": "json"}, headers=h)
    assert r.get_json() == {"success": True, "data": {"email": "bob@example.com"}}
    r = mock.get(B + "membership_level", query_string={"id": 2, "response_type": "json"})
    assert r.get_json()["success"] is True and r.get_json()["data"]["level"]["id"] == "2"
    r = mock.get(B + "membership_levels", query_string={"response_type": "json"})
    assert set(r.get_json()["data"]["levels"]) == {str(lv["id"]) for lv in mock.site.store.all(domain.LEVEL)}
    r = mock.post(B + "membership_level", json={"name": "Enveloped", "response_type": "json"}, headers=h)
    assert r.get_json()["data"]["level"]["name"] == "Enveloped"


# -- levels -----------------------------------------------------------------------------

def test_membership_level_public_read_and_confirmation(mock):
    monthly = level_id(mock, "Monthly Pro")
    anon = mock.get(B + "membership_level", query_string={"id": monthly}).get_json()
    assert anon["name"] == "Monthly Pro" and anon["confirmation"] == "" and anon["initial_payment"] == "19.00000000"
    member = mock.get(B + "membership_level", query_string={"id": monthly}, headers=mock.basic("alice")).get_json()
    assert member["confirmation"].startswith("Thanks")
    assert mock.get(B + "membership_level", query_string={"id": 9999}).get_json() == {}
    r = mock.get(B + "membership_level")
    assert (r.status_code, r.get_json()) == (400, "ID not passed through")
    # membership_level takes id, not level_id
    assert mock.get(B + "membership_level", query_string={"level_id": monthly}).status_code == 400


def test_membership_level_create_update(mock):
    h = mock.basic("membershipmanager")
    r = mock.post(B + "membership_level", headers=h, json={
        "name": "Gold", "description": "Top tier", "initial_payment": "120.50", "billing_amount": 20,
        "cycle_number": 1, "cycle_period": "Month", "allow_signups": 1, "expiration_period": "Year", "id": 1})
    echo = r.get_json()
    assert r.status_code == 200 and echo["ID"] == "" and echo["initial_payment"] == 120.5
    assert echo["expiration_period"] == 0 and echo["trial_limit"] == "" and echo["id"] not in (1, "1")
    new_id = echo["id"]
    got = mock.get(B + "membership_level", query_string={"id": new_id}).get_json()
    assert got["name"] == "Gold" and got["initial_payment"] == "120.50000000" and got["billing_amount"] == "20.00000000"
    assert got["cycle_period"] == ""                          # read but never stored
    assert got["expiration_period"] == "0"                    # intval("Year"), stored as text
    r = mock.patch(B + "membership_level", headers=h, json={"id": new_id, "name": "Gold Plus", "categories": "3,4"})
    assert r.get_json()["name"] == "Gold Plus" and r.get_json()["ID"] == str(new_id)
    got = mock.get(B + "membership_level", query_string={"id": new_id}).get_json()
    assert got["name"] == "Gold Plus" and got["initial_payment"] == "120.50000000" and got["categories"] == [3, 4]
    r = mock.put(B + "membership_level", headers=h, json={"name": "no id"})
    assert (r.status_code, r.get_json()) == (200, False)
    listing = mock.get(B + "membership_levels").get_json()
    assert str(new_id) in listing and listing[str(new_id)]["initial_payment"] == 120.5


def test_delete_is_refused_until_enabled(mock, make_mock):
    target = level_id(mock, "Workshop Pass")
    r = mock.delete(B + "membership_level", query_string={"id": target}, headers=mock.basic("admin"))
    assert r.status_code == 403 and r.get_json()["code"] == "rest_forbidden"
    assert mock.delete(B + "membership_level", query_string={"id": target}).status_code == 401
    enabled = make_mock(pmpro_allow_delete=True)
    h = enabled.basic("admin")
    assert enabled.delete(B + "membership_level", query_string={"id": target}, headers=enabled.basic("alice")).status_code == 403
    holders = [m["user_id"] for m in enabled.site.store.all(domain.MEMBERSHIP)
               if m["membership_id"] == target and m["status"] == "active"]
    r = enabled.delete(B + "membership_level", query_string={"id": target}, headers=h)
    assert (r.status_code, r.get_json()) == (200, True)
    assert enabled.get(B + "membership_level", query_string={"id": target}).get_json() == {}
    assert enabled.delete(B + "membership_level", query_string={"id": target}, headers=h).get_json() is False
    r = enabled.delete(B + "membership_level", headers=h)
    assert (r.status_code, r.get_json()) == (400, "ID not passed through.")
    for holder in holders:
        held = enabled.get(B + "get_membership_levels_for_user", query_string={"user_id": holder}, headers=h).get_json()
        assert all(lv["id"] != str(target) for lv in held)


def test_membership_levels_keyed_by_id(mock):
    body = mock.get(B + "membership_levels").get_json()
    assert len(body) == 5 and all(k == v["id"] for k, v in body.items())
    assert all(v["confirmation"] == "" for v in body.values())
    assert all(v["confirmation"] for v in mock.get(B + "membership_levels", headers=mock.basic("admin")).get_json().values())
    mine = mock.get(B + "membership_levels", headers=mock.basic("alice")).get_json()
    assert [k for k, v in mine.items() if v["confirmation"]] == [str(level_id(mock, "Monthly Pro"))]


def test_checkout_level_prices_with_a_code(mock):
    monthly, coaching = level_id(mock, "Monthly Pro"), level_id(mock, "Premium Coaching")
    plain = mock.get(B + "checkout_level", query_string={"level_id": monthly}).get_json()
    assert plain["initial_payment"] == "19.00000000" and plain["initial_payment_formatted"] == "&#36;19.00"
    assert "code_id" not in plain
    coded = mock.get(B + "checkout_level", query_string={"level": monthly, "discount_code": "SPRING25"}).get_json()
    assert (coded["initial_payment"], coded["billing_amount"], coded["discount_code"]) == ("14.25000000", "14.25000000", "SPRING25")
    assert coded["initial_payment_formatted"] == "&#36;14.25" and coded["code_id"] == "1"
    trial = mock.get(B + "checkout_level", query_string={"pmpro_level": coaching, "level_id": monthly,
                                                        "pmpro_discount_code": "WELCOME10"}).get_json()
    assert trial["id"] == str(coaching) and trial["initial_payment"] == "39.00000000" and trial["billing_limit"] == "12"
    ignored = mock.get(B + "checkout_level", query_string={"level_id": coaching, "discount_code": "SPRING25"}).get_json()
    assert ignored["initial_payment"] == "49.00000000" and "discount_code" not in ignored      # code does not cover the level
    assert mock.get(B + "checkout_level", query_string={"level_id": monthly, "discount_code": "NOPE"}).get_json()["initial_payment"] == "19.00000000"
    expired = mock.get(B + "checkout_level", query_string={"level_id": monthly, "discount_code": "BLACKFRIDAY"}).get_json()
    assert expired["initial_payment"] == "19.00000000"
    for closed_or_missing in (level_id(mock, "Workshop Pass"), 999):  # null, which WordPress sends as no body
        assert mock.get(B + "checkout_level", query_string={"level_id": closed_or_missing}).get_data() == b""
    r = mock.get(B + "checkout_level")
    assert (r.status_code, r.get_json()) == (400, "No level found.")


# -- discount codes and orders ----------------------------------------------------------

def test_discount_code_read_create_update(mock):
    h = mock.basic("membershipmanager")
    code = mock.get(B + "discount_code", query_string={"code": "SPRING25"}, headers=h).get_json()
    assert code["code"] == "SPRING25" and code["levels"]["2"]["initial_payment"] == "14.25000000"
    assert mock.get(B + "discount_code", query_string={"code": code["id"]}, headers=h).get_json() == code
    assert mock.get(B + "discount_code", query_string={"code": "MISSING"}, headers=h).get_json() == {
        "id": 0, "code": "", "starts": "", "expires": "", "uses": 0, "levels": []}   # the class defaults
    r = mock.get(B + "discount_code", headers=h)
    assert (r.status_code, r.get_json()) == (400, "No discount code sent.")
    levels = '[{"level": 2, "initial_payment": "5", "billing_amount": 19, "cycle_number": 1, "cycle_period": "Month"}]'
    made = mock.post(B + "discount_code", headers=h, json={"code": "SUMMER5", "uses": 50, "starts": "2025-06-01",
                                                            "expires": "2030-08-31", "levels": levels}).get_json()
    assert made["code"] == "SUMMER5" and made["uses"] == "50" and made["levels"]["2"]["initial_payment"] == "5.00000000"
    assert made["levels"]["2"]["billing_limit"] == "0"            # the route copies cycle_period into it
    r = mock.post(B + "discount_code", headers=h, json={"code": "SUMMER5"})
    assert (r.status_code, r.get_json()) == (400, "Discount code already exists.")
    coded = mock.get(B + "checkout_level", query_string={"level_id": 2, "discount_code": "SUMMER5"}).get_json()
    assert coded["initial_payment"] == "5.00000000"
    # PUT of an existing code: save() inserts it again, the unique code refuses, nothing changes
    updated = mock.put(B + "discount_code", headers=h, json={"code": "SUMMER5", "uses": 10}).get_json()
    assert updated == {"id": 0, "code": "SUMMER5", "starts": "", "expires": "", "uses": 10, "levels": None}
    assert mock.get(B + "discount_code", query_string={"code": "SUMMER5"}, headers=h).get_json() == made
    new = mock.patch(B + "discount_code", headers=h, json={"code": "AUTUMN", "starts": "2025-09-01"}).get_json()
    assert new["id"] > int(made["id"]) + 1 and new["starts"] == "2025-09-01" and new["expires"] == ""  # a failed insert used an id
    stored = mock.get(B + "discount_code", query_string={"code": "AUTUMN"}, headers=h).get_json()
    assert stored["expires"] == "0000-00-00" and stored["uses"] == "0" and stored["levels"] == []
    fresh = mock.post(B + "discount_code", headers=h, data={"uses": "3"}).get_json()
    assert fresh["code"] and fresh["levels"] is None and fresh["id"] != made["id"]


def test_order_reading_and_ownership(mock):
    own, other = order_of(mock, "alice"), order_of(mock, "alice", owned=False)
    alice = mock.basic("alice")
    mine = mock.get(B + "order", query_string={"code": own["code"]}, headers=alice)
    assert mine.status_code == 200 and mine.get_json()["code"] == own["code"]
    assert isinstance(mine.get_json()["timestamp"], int) and mine.get_json()["tax"] in (0, 0.0)
    assert mock.get(B + "order", query_string={"code": str(own["id"])}, headers=alice).get_json()["id"] == str(own["id"])
    assert mock.get(B + "order", query_string={"code": other["code"]}, headers=alice).status_code == 403
    assert mock.get(B + "order", query_string={"code": own["code"]}).status_code == 401
    manager = mock.basic("membershipmanager")
    assert mock.get(B + "order", query_string={"code": other["code"]}, headers=manager).get_json()["user_id"] == str(other["user_id"])
    assert mock.get(B + "order", query_string={"code": "NOSUCHCODE"}, headers=manager).get_json() == {}
    r = mock.get(B + "order", headers=manager)
    assert (r.status_code, r.get_json()) == (400, "No order code sent.")


# -- post restrictions ------------------------------------------------------------------

def test_post_restrictions_read_and_replace(mock):
    h = mock.basic("editor")
    post = post_id(mock, "About Us")
    assert mock.get(B + "post_restrictions", query_string={"post_id": post}, headers=h).get_json() == []
    r = mock.post(B + "post_restrictions", json={"post_id": post, "level_ids": [2, "3"]}, headers=h)
    assert r.get_json() == {"success": [2, 3]}
    assert mock.get(B + "post_restrictions", query_string={"post_id": post}, headers=h).get_json() == \
        [{"membership_id": "2"}, {"membership_id": "3"}]
    admin = mock.basic("admin")
    carol = uid(mock, "carol")
    assert mock.get(B + "has_membership_access", query_string={"post_id": post, "user_id": carol},
                    headers=admin).get_json() is False
    mock.put(B + "post_restrictions", data={"post_id": post, "level_ids[]": "1"}, headers=h)
    assert mock.get(B + "post_restrictions", query_string={"post_id": post}, headers=h).get_json() == [{"membership_id": "1"}]
    r = mock.post(B + "post_restrictions", json={"post_id": post}, headers=h)
    assert (r.status_code, r.get_json()) == (400, {"error": "No level IDs provided."})
    r = mock.patch(B + "post_restrictions", json={"post_id": post, "level_ids": []}, headers=h)
    assert r.get_json() == {"success": []}
    # no post, or a post that does not exist: edit_post maps to do_not_allow
    assert mock.get(B + "post_restrictions", headers=admin).status_code == 403
    assert mock.get(B + "post_restrictions", query_string={"post_id": 99999}, headers=admin).status_code == 403
    assert mock.get(B + "post_restrictions", query_string={"post_id": post}).status_code == 401


# -- exports ----------------------------------------------------------------------------

def download(mock, url, headers=None):
    parts = urlsplit(url)
    return mock.client.get(parts.path or "/", query_string=parts.query, headers=headers or {})


def test_members_export_completes_synchronously_with_real_csv(mock):
    h = mock.basic("membershipmanager")
    r = mock.post(B + "export/start", json={"type": "members"}, headers=h)
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "complete" and body["processed_count"] == body["total_count"] > 0
    got = download(mock, body["download_url"], h)
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True)), escapechar="\\"))
    assert rows[0][:9] == ["id", "username", "firstname", "lastname", "email", "membership", "membership_id",
                           "discount_code_id", "discount_code"] and rows[0][-1] == "expires"
    alice = next(row for row in rows[1:] if row[1] == "alice")
    assert alice[4] == "alice@example.com" and alice[5] == "Monthly Pro"
    assert len(rows) - 1 == body["total_count"]
    # the link is single use, like PMPro's cleanup after download
    assert download(mock, body["download_url"], h).status_code == 403
    status = mock.get(B + "export/status", query_string={"type": "members", "export_id": body["export_id"]}, headers=h)
    assert status.get_json() == {"error": "No export found.", "http_status": 200}


def test_orders_export_async_progresses_across_polls(mock):
    h = mock.basic("admin")
    start = mock.post(B + "export/start", json={"type": "orders", "force_async": "1"}, headers=h).get_json()
    assert start["status"] == "running" and 0 < start["processed_count"] < start["total_count"]
    assert "download_url" not in start
    again = mock.post(B + "export/start", json={"type": "orders"}, headers=h).get_json()
    assert again["export_id"] == start["export_id"]            # the running export is returned
    seen = [start["processed_count"]]
    for _ in range(10):
        poll = mock.get(B + "export/status", query_string={"type": "orders"}, headers=h).get_json()
        seen.append(poll["processed_count"])
        if poll["status"] == "complete":
            break
    assert poll["status"] == "complete" and seen == sorted(seen) and len(seen) > 2
    text = download(mock, poll["download_url"]).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text), escapechar="\\"))
    assert rows[0][:3] == ["id", "code", "user_id"] and rows[0][-1] == "timestamp"
    assert len(rows) - 1 == poll["total_count"] == len(mock.site.store.all(domain.ORDER))
    assert {row[1] for row in rows[1:]} == {o["code"] for o in mock.site.store.all(domain.ORDER)}


def test_export_filters_and_errors(mock):
    h = mock.basic("admin")
    monthly = level_id(mock, "Monthly Pro")
    body = mock.post(B + "export/start", data={"type": "members", "l": str(monthly)}, headers=h).get_json()
    rows = list(csv.reader(io.StringIO(download(mock, body["download_url"]).get_data(as_text=True)), escapechar="\\"))
    assert rows[1:] and all(row[6] == str(monthly) for row in rows[1:])
    r = mock.get(B + "export/status", query_string={"type": "members", "export_id": "nope"}, headers=h)
    assert r.get_json() == {"error": "No export found.", "http_status": 200}
    r = mock.post(B + "export/start", json={}, headers=h)
    assert (r.status_code, r.get_json()) == (400, {"error": "Missing export type."})
    other = mock.post(B + "export/start", json={"type": "orders"}, headers=mock.basic("membershipmanager")).get_json()
    denied = download(mock, other["download_url"], h)          # a valid link, but not the admin's export
    assert denied.status_code == 403
    assert download(mock, other["download_url"].replace("token=", "token=x")).status_code == 403


# -- robustness -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_mock():
    from mock_server.app import create_app
    from mock_server.config import Config
    from tests.mock.conftest import ContractClient
    return ContractClient(create_app(Config(db=":memory:", seed=1, pmpro_allow_delete=True)))


ODD = [
    {"user_id": ["x"], "level_id": {"a": 1}, "id": "1e9999", "email": "é@@", "post_id": "-3", "level_ids": "7",
     "code": "<b>", "type": "members", "levels": "{not json", "create_user": "yes", "name": "\u0000",
     "initial_payment": "NaN", "response_type": ["json"], "export_id": "' OR 1"},
    {"user_id": "99999999999999999999999", "level_id": "²", "id": "99999999999999999999999",
     "post_id": "99999999999999999999999", "code": "99999999999999999999999", "level_ids": [None, "x", 10**30],
     "levels": '[{"level": 99999999999999999999, "cycle_period": {"a": 1}}, 3, null]', "type": "orders",
     "categories": "1,²,3", "l": "²", "expiration_period": ["Month"], "force_async": "1"},
]


@pytest.mark.parametrize("odd", ODD, ids=["types", "sizes"])
@pytest.mark.parametrize("op", operations.load("pmpro"), ids=lambda op: op.op_id)
def test_odd_input_never_breaks_a_route(shared_mock, op, odd):
    mock = shared_mock
    h = mock.basic("admin")
    if op.method in ("GET", "DELETE"):
        r = mock.request(op.method, op.path, query_string={k: str(v) for k, v in odd.items()}, headers=h)
        q = mock.request(op.method, op.path + "?user_id[]=1&post_id[a]=2&code[]=x&id[]=1&type[]=members", headers=h)
        assert q.status_code < 500
    else:
        r = mock.request(op.method, op.path, json=odd, headers=h)
        assert mock.request(op.method, op.path, data="{broken", content_type="application/json",
                            headers=h).status_code == 400
        form = mock.request(op.method, op.path, data={"user_id[]": "1", "level_ids": "2", "levels[a]": "b"}, headers=h)
        assert form.status_code < 500
    assert r.status_code < 500
