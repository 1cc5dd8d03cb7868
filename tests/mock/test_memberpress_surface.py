"""MemberPress beyond the translated page: groups, reminders, the event log, suspend/resume, the
optional routes, moves along an upgrade path, and the offline, trial and sub-account events.

Every answer also goes through the contract check of the test client.
"""
import json

import pytest

from mock_server.memberpress import domain

MP = "/wp-json/mp/v1"


def ok(r, status=200):
    assert r.status_code == status, r.get_data(as_text=True)
    return r.json


def subscribe(mock):
    ok(mock.post(f"{MP}/webhooks/subscribe", headers=mock.mp(), json={"url": "https://hooks.example/mp", "event": "all"}), 201)


def queued(mock, since=0):
    rows = mock.site.store.db.execute("SELECT event, body FROM webhook_deliveries ORDER BY id").fetchall()
    return [(event, json.loads(body)) for event, body in rows][since:]


def names(mock, since=0):
    return [event for event, _ in queued(mock, since)]


def plans(mock):
    """The seeded upgrade path: Individual Plans holds Bronze (order 0), Silver (1) and Gold (2)."""
    every = ok(mock.get(f"{MP}/memberships", headers=mock.mp(), query_string={"per_page": -1}))
    return {m["title"]: m for m in every}


def new_member(mock, login):
    return ok(mock.post(f"{MP}/members", headers=mock.mp(), json={"email": f"{login}@example.org", "username": login}))


def buy(mock, member, membership, recurring=True, gateway="peum51-1tc"):
    """What a checkout records: an active subscription and its first payment, or a one-time payment."""
    sub = None
    if recurring:
        sub = ok(mock.post(f"{MP}/subscriptions", headers=mock.mp(), json={
            "member": member["id"], "membership": membership["id"], "status": "active", "gateway": gateway}))
    txn = ok(mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        "member": member["id"], "membership": membership["id"], "status": "complete", "gateway": gateway,
        "amount": membership["price"], "subscription": sub["id"] if sub else 0,
        "expires_at": "2099-01-01 00:00:00" if recurring else "0000-00-00 00:00:00"}))
    return sub, txn


def active(mock, member):
    got = ok(mock.get(f"{MP}/members/{member['id']}", headers=mock.mp()))
    return [m["title"] for m in got["active_memberships"]]


# -- groups --------------------------------------------------------------------------------------

def test_group_crud_and_memberships_joining_by_group_id(mock):
    group = ok(mock.post(f"{MP}/groups", headers=mock.mp(), json={
        "title": "Tiers", "is_upgrade_path": "1", "url": "https://example.org/tiers", "upgrade_path_text": "Move up"}))
    assert group["is_upgrade_path"] is True and group["alternate_group_url"] == "https://example.org/tiers"
    assert "upgrade_path_text" not in group and group["author"]["username"] == "admin"
    assert ok(mock.get(f"{MP}/groups/{group['id']}", headers=mock.mp())) == group
    membership = ok(mock.post(f"{MP}/memberships", headers=mock.mp(), json={
        "title": "Tier One", "group_id": group["id"], "group_order": "1"}))
    assert membership["group"]["id"] == group["id"], "group_id (the README's name) puts it in the group"
    changed = ok(mock.patch(f"{MP}/groups/{group['id']}", headers=mock.mp(), json={"is_upgrade_path": False}))
    assert changed["is_upgrade_path"] is False and changed["title"] == "Tiers"
    found = ok(mock.get(f"{MP}/groups", headers=mock.mp(), query_string={"search": "tier"}))
    assert [g["id"] for g in found] == [group["id"]]
    assert ok(mock.delete(f"{MP}/groups/{group['id']}", headers=mock.mp())) is True
    assert mock.get(f"{MP}/groups/{group['id']}", headers=mock.mp()).status_code == 404
    left = ok(mock.get(f"{MP}/memberships/{membership['id']}", headers=mock.mp()))
    assert left["group"] == str(group["id"]), "the membership keeps the id of the deleted group"


def test_group_arguments_are_checked(mock):
    r = mock.post(f"{MP}/groups", headers=mock.mp(), json={"title": "X", "is_upgrade_path": "maybe"})
    assert r.status_code == 400 and r.json["code"] == "rest_invalid_param" and "is_upgrade_path" in r.json["data"]["params"]
    assert mock.get(f"{MP}/groups").status_code == 401


# -- reminders -----------------------------------------------------------------------------------

def test_reminder_fields_of_the_code_and_of_the_readme(mock):
    made = ok(mock.post(f"{MP}/reminders", headers=mock.mp(), json={
        "event": "sub-expires", "trigger_length": "3", "trigger_interval": "days", "trigger_timing": "before",
        "memberships": [plans(mock)["Gold"]["id"]], "enabled": False, "subject": "Soon", "body": "Renew now"}))
    assert made["trigger_event"] == "sub-expires" and made["trigger_length"] == "3"
    assert made["title"] == "3 days before Subscription Expires"
    assert made["status"] == "draft", "a disabled reminder is kept as a draft"
    assert made["filter_products"] is True and made["products"] == [str(plans(mock)["Gold"]["id"])]
    assert "subject" not in made and "emails" not in made, "the e-mail settings are not shown"
    again = ok(mock.put(f"{MP}/reminders/{made['id']}", headers=mock.mp(), json={
        "trigger_length": 1, "trigger_interval": "weeks", "enabled": "1", "memberships": []}))
    assert again["title"] == "1 week before Subscription Expires" and again["status"] == "publish"
    assert again["filter_products"] is False and again["products"] == []
    named = ok(mock.post(f"{MP}/reminders", headers=mock.mp(), json={"name": "Card check", "event": "cc-expires"}))
    assert named["title"] == "Card check" and named["trigger_timing"] == "before" and named["trigger_interval"] == "days"
    listed = ok(mock.get(f"{MP}/reminders", headers=mock.mp(), query_string={"search[title]": "Card check"}))
    assert [r["id"] for r in listed] == [named["id"]]
    assert ok(mock.delete(f"{MP}/reminders/{named['id']}", headers=mock.mp())) is True


def test_reminder_event_names(mock):
    assert domain.reminder_event({"trigger_timing": "before", "trigger_event": "sub-expires"}) == "before-sub-expires-reminder"
    assert domain.reminder_event({"trigger_timing": "before", "trigger_event": "sub-trial-ends"}) == "before-sub-trial-ends"
    assert domain.reminder_event({"trigger_timing": "after", "trigger_event": "sub-renews"}) is None
    r = mock.post(f"{MP}/reminders", headers=mock.mp(), json={"trigger_event": "sub-cancelled"})
    assert r.status_code == 400 and "trigger_event" in r.json["data"]["params"]


# -- the event log -------------------------------------------------------------------------------

def test_event_log_has_the_seeded_history_and_pages(mock):
    r = mock.get(f"{MP}/events", headers=mock.mp(), query_string={"per_page": 5, "page": 2})
    assert r.status_code == 200 and len(r.json) == 5 and int(r.headers["X-WP-Total"]) > 100
    assert 'rel="prev"' in r.headers["Link"] and 'rel="next"' in r.headers["Link"]
    added = ok(mock.get(f"{MP}/events", headers=mock.mp(), query_string={"search[event]": "member-added", "per_page": -1}))
    assert {e["event"] for e in added} == {"member-added"} and len(added) == 25
    assert all(e["evt_id_type"] == "users" and e["data"]["id"] == int(e["evt_id"]) for e in added)
    ids = [int(e["id"]) for e in ok(mock.get(f"{MP}/events", headers=mock.mp(), query_string={"per_page": 20}))]
    assert ids == sorted(ids, reverse=True), "newest first"


def test_every_change_is_logged_even_without_webhooks(mock):
    member = new_member(mock, "logged")
    gold = plans(mock)["Gold"]
    _, txn = buy(mock, member, gold, recurring=False)
    log = ok(mock.get(f"{MP}/events", headers=mock.mp(), query_string={"per_page": 3}))
    assert [e["event"] for e in log] == ["non-recurring-transaction-completed", "transaction-completed", "member-added"]
    assert log[0]["evt_id"] == txn["id"] and log[0]["data"]["status"] == "complete"
    one = ok(mock.get(f"{MP}/events/{log[2]['id']}", headers=mock.mp()))
    assert one["data"]["username"] == "logged"
    ok(mock.delete(f"{MP}/members/{member['id']}", headers=mock.mp()))
    gone = ok(mock.get(f"{MP}/events/{log[2]['id']}", headers=mock.mp()))
    assert gone["data"] is None, "the member no longer exists"
    deleted = ok(mock.get(f"{MP}/events", headers=mock.mp(), query_string={"search[event]": "member-deleted"}))
    assert deleted[0]["evt_id"] == str(member["id"])
    assert mock.get(f"{MP}/events/999999", headers=mock.mp()).status_code == 404


# -- suspend and resume --------------------------------------------------------------------------

def test_suspend_and_resume_send_paused_and_resumed(mock):
    subscribe(mock)
    member = new_member(mock, "pauser")
    sub, _ = buy(mock, member, plans(mock)["Silver"])
    start = len(queued(mock))
    paused = ok(mock.post(f"{MP}/subscriptions/{sub['id']}/suspend", headers=mock.mp()))
    assert paused["data"]["data"]["status"] == "suspended" and paused["message"]
    assert names(mock, start) == ["subscription-paused"]
    again = ok(mock.post(f"{MP}/subscriptions/{sub['id']}/suspend", headers=mock.mp()))
    assert again["data"]["data"]["status"] == "suspended" and names(mock, start) == ["subscription-paused"]
    resumed = ok(mock.post(f"{MP}/subscriptions/{sub['id']}/resume", headers=mock.mp()))
    assert resumed["data"]["data"]["status"] == "active"
    assert names(mock, start) == ["subscription-paused", "subscription-resumed"]
    assert queued(mock)[-1][1]["data"]["id"] == sub["id"]
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/cancel", headers=mock.mp()))
    refused = mock.post(f"{MP}/subscriptions/{sub['id']}/resume", headers=mock.mp())
    assert refused.status_code == 400 and refused.json["code"] == "mp_db_create_error"
    assert ok(mock.get(f"{MP}/subscriptions/{sub['id']}", headers=mock.mp()))["status"] == "cancelled"
    assert mock.post(f"{MP}/subscriptions/999999/suspend", headers=mock.mp()).status_code == 404


# -- optional routes -----------------------------------------------------------------------------

OPTIONAL = ["/me/permissions", "/member_options", "/membership_options", "/memberships/{id}/member_options"]


def test_optional_routes_are_absent_by_default(mock):
    some = plans(mock)["Gold"]["id"]
    for path in OPTIONAL:
        r = mock.get(MP + path.format(id=some), headers=mock.mp())
        assert r.status_code == 404 and r.json["code"] == "rest_no_route", path


def test_optional_routes_with_the_flag(make_mock):
    mock = make_mock(mp_optional_routes=True)
    gold = plans(mock)["Gold"]
    me = ok(mock.get(f"{MP}/me/permissions", headers=mock.mp()))
    assert me["data"]["capabilities"] == ["remove_users"] and me["data"]["roles"] == []
    assert ok(mock.get(f"{MP}/me/permissions", headers=mock.basic("admin")))["data"]["roles"] == ["administrator"]
    assert mock.get(f"{MP}/me/permissions", headers=mock.basic("alice")).status_code == 403
    assert "mepr_company_name" in ok(mock.get(f"{MP}/member_options", headers=mock.mp()))["profile_fields"]
    options = ok(mock.get(f"{MP}/membership_options", headers=mock.mp()))
    assert "lifetime" in options["period_type"] and options["payment_methods"] == ["manual", "peum51-1tc"]
    mine = ok(mock.get(f"{MP}/memberships/{gold['id']}/member_options", headers=mock.mp()))
    assert mine["id"] == gold["id"] and mine["group"] == str(gold["group"]["id"])
    assert mock.get(f"{MP}/memberships/999999/member_options", headers=mock.mp()).status_code == 404


# -- upgrade paths -------------------------------------------------------------------------------

def test_upgrade_path_walk(mock):
    subscribe(mock)
    tiers = plans(mock)
    member = new_member(mock, "climber")
    first_sub, _ = buy(mock, member, tiers["Bronze"])
    assert active(mock, member) == ["Bronze"]
    start = len(queued(mock))
    pro_sub, _ = buy(mock, member, tiers["Gold"])
    moved = names(mock, start)
    assert moved[:1] == ["subscription-created"]
    assert moved.index("subscription-stopped") < moved.index("subscription-upgraded")
    assert moved[moved.index("subscription-upgraded"):moved.index("subscription-upgraded") + 2] == \
        ["subscription-upgraded", "subscription-upgraded-to-recurring"]
    assert "subscription-downgraded" not in moved
    upgraded = dict(queued(mock, start))["subscription-upgraded-to-recurring"]
    assert upgraded["data"]["id"] == pro_sub["id"] and upgraded["data"]["membership"]["title"] == "Gold"
    assert active(mock, member) == ["Gold"]
    assert ok(mock.get(f"{MP}/subscriptions/{first_sub['id']}", headers=mock.mp()))["status"] == "cancelled"
    start = len(queued(mock))
    _, back = buy(mock, member, tiers["Bronze"], recurring=False)
    moved = names(mock, start)
    assert moved[-2:] == ["subscription-downgraded", "subscription-downgraded-to-one-time"]
    assert dict(queued(mock, start))["subscription-downgraded-to-one-time"]["data"]["id"] == back["id"]
    assert active(mock, member) == ["Bronze"]
    assert ok(mock.get(f"{MP}/subscriptions/{pro_sub['id']}", headers=mock.mp()))["status"] == "cancelled"
    start = len(queued(mock))
    buy(mock, member, tiers["Silver"], recurring=False)
    moved = names(mock, start)
    assert moved[-2:] == ["subscription-upgraded", "subscription-upgraded-to-one-time"], moved
    assert "transaction-expired" in moved, "the one-time Bronze ends"
    assert active(mock, member) == ["Silver"]


def test_no_move_outside_an_upgrade_path(mock):
    subscribe(mock)
    tiers = plans(mock)
    member = new_member(mock, "teamer")
    buy(mock, member, tiers["Team Starter"])
    start = len(queued(mock))
    buy(mock, member, tiers["Team Annual"])
    assert not [n for n in names(mock, start) if "graded" in n], "Teams is not an upgrade path"
    assert sorted(active(mock, member)) == ["Team Annual", "Team Starter"]
    buy(mock, member, tiers["Lifetime Course Access"], recurring=False)
    assert len(active(mock, member)) == 3


# -- offline payments, trials, sub accounts ------------------------------------------------------

def test_offline_gateway_payments(mock):
    subscribe(mock)
    member = new_member(mock, "cheque")
    gold = plans(mock)["Gold"]
    start = len(queued(mock))
    txn = ok(mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        "member": member["id"], "membership": gold["id"], "gateway": "manual", "status": "pending", "amount": "199.00"}))
    assert names(mock, start) == ["offline-payment-pending"]
    ok(mock.put(f"{MP}/transactions/{txn['id']}", headers=mock.mp(), json={"status": "complete"}))
    assert names(mock, start)[1:] == ["transaction-completed", "non-recurring-transaction-completed",
                                       "offline-payment-complete"]
    ok(mock.post(f"{MP}/transactions/{txn['id']}/refund", headers=mock.mp()))
    assert names(mock, start)[4:] == ["transaction-refunded", "offline-payment-refunded"]
    assert all(body["data"]["id"] == txn["id"] for _, body in queued(mock, start))
    card = ok(mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        "member": member["id"], "membership": gold["id"], "gateway": "peum51-1tc", "status": "pending"}))
    ok(mock.put(f"{MP}/transactions/{card['id']}", headers=mock.mp(), json={"status": "complete"}))
    assert not [n for n in names(mock, start)[6:] if n.startswith("offline")], "card payments are not offline"


def test_trial_reminder_and_sub_accounts_from_the_control_route(mock):
    subscribe(mock)
    trial = ok(mock.post("/__mock__/events/before-sub-trial-ends"), 202)["data"]
    assert trial["trial"] == "1" and trial["status"] == "active"
    log = ok(mock.get(f"{MP}/events", headers=mock.mp(), query_string={"search[event]": "before-sub-trial-ends"}))
    reminders = ok(mock.get(f"{MP}/reminders", headers=mock.mp(), query_string={"per_page": -1}))
    trial_reminder = next(r for r in reminders if r["trigger_event"] == "sub-trial-ends")
    if str(trial["membership"]["id"]) in trial_reminder["products"]:
        assert log[0]["args"] == str(trial_reminder["id"]), "the log names the reminder that fired"
    added = ok(mock.post("/__mock__/events/sub-account-added"), 202)["data"]
    assert added["txn_type"] == "sub_account" and added["parent_transaction_id"] != "0"
    parent = ok(mock.get(f"{MP}/transactions/{added['parent_transaction_id']}", headers=mock.mp()))
    assert parent["member"]["id"] != added["member"]["id"]
    removed = ok(mock.post("/__mock__/events/sub-account-removed"), 202)["data"]
    assert removed["id"] == added["id"], "the same sub account, picked from the store"
    pending = ok(mock.post("/__mock__/events/offline-payment-pending"), 202)["data"]
    assert pending["gateway"] == "manual" and pending["status"] == "pending"


@pytest.mark.parametrize("event", ["offline-payment-complete", "offline-payment-refunded", "sub-account-removed",
                                   "before-sub-trial-ends"])
def test_new_events_have_contract_valid_payloads(mock, event):
    from mock_server.webhooks import outbox
    from tests.mock.test_webhook_events import assert_valid
    subscribe(mock)
    data = ok(mock.post(f"/__mock__/events/{event}"), 202)["data"]
    assert_valid(event, {"event": event, "type": outbox.event_type(event), "data": data})
