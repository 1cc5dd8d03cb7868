"""MemberPress webhook emission: which events a change queues, in which order, with valid bodies.

Reads the outbox table directly: a queued delivery is a row of ``webhook_deliveries``, written in
the same store transaction as the change that caused it.
"""
import json

from membermock import contracts
from mock_server.memberpress import domain
from mock_server.webhooks import outbox

MP = "/wp-json/mp/v1"


def subscribe(mock, event="all", url="https://hooks.example.com/mp"):
    r = mock.post(f"{MP}/webhooks/subscribe", headers=mock.mp(), json={"url": url, "event": event})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.json["data"]["id"]


def queued(mock):
    rows = mock.site.store.db.execute("SELECT event, body FROM webhook_deliveries ORDER BY id").fetchall()
    return [(event, json.loads(body)) for event, body in rows]


def names(mock, since=0):
    return [event for event, _ in queued(mock)[since:]]


def ok(r, status=200):
    assert r.status_code == status, r.get_data(as_text=True)
    return r.json


def memberships(mock):
    return ok(mock.get(f"{MP}/memberships", headers=mock.mp(), query_string={"per_page": -1}))


def new_member(mock, login, **extra):
    return ok(mock.post(f"{MP}/members", headers=mock.mp(),
                        json={"email": f"{login}@example.org", "username": login, **extra}))


def new_sub(mock, member_id, membership_id, **extra):
    return ok(mock.post(f"{MP}/subscriptions", headers=mock.mp(), json={
        "member": member_id, "membership": membership_id, "status": "active", "gateway": "peum51-1tc", **extra}))


def new_txn(mock, member_id, membership_id, **extra):
    """A card payment (the offline gateway's own events are tested in test_surface_events.py)."""
    return ok(mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        "member": member_id, "membership": membership_id, "amount": "19.00", "gateway": "peum51-1tc",
        "expires_at": "2099-01-01 00:00:00", **extra}))


def assert_valid(event, body):
    assert body["event"] == event and body["type"] == outbox.event_type(event)
    for contract in (f"memberpress.events.{event}", "memberpress.event"):
        found = contracts.problems(contract, body)
        assert not found, (event, [str(p) for p in found])


REST_CAUSED = {
    "member-added", "member-signup-completed", "member-account-updated", "member-deleted",
    "subscription-created", "subscription-paused", "subscription-resumed", "subscription-stopped",
    "subscription-expired", "transaction-completed", "recurring-transaction-completed",
    "renewal-transaction-completed", "non-recurring-transaction-completed", "transaction-failed",
    "recurring-transaction-failed", "transaction-refunded", "transaction-expired", "recurring-transaction-expired",
    "non-recurring-transaction-expired", "offline-payment-pending", "offline-payment-complete",
    "offline-payment-refunded",
}


def test_all_events_queued_and_valid(mock):
    subscribe(mock)
    plan = memberships(mock)[1]["id"]
    # REST changes
    m = new_member(mock, "everything", first_name="Eve", transaction={
        "membership": plan, "status": "complete", "amount": "19.00", "expires_at": "2099-01-01 00:00:00"})
    ok(mock.put(f"{MP}/members/{m['id']}", headers=mock.mp(), json={"last_name": "Thing", "city": "Austin"}))
    sub = new_sub(mock, m["id"], plan)
    first = new_txn(mock, m["id"], plan, subscription=sub["id"], status="complete")
    new_txn(mock, m["id"], plan, subscription=sub["id"], status="complete")
    new_txn(mock, m["id"], plan, subscription=sub["id"], status="failed")
    ok(mock.post(f"{MP}/transactions/{first['id']}/refund", headers=mock.mp()))
    offline = new_txn(mock, m["id"], plan, gateway="manual", status="pending")
    ok(mock.put(f"{MP}/transactions/{offline['id']}", headers=mock.mp(), json={"status": "complete"}))
    ok(mock.post(f"{MP}/transactions/{offline['id']}/refund", headers=mock.mp()))
    ok(mock.put(f"{MP}/subscriptions/{sub['id']}", headers=mock.mp(), json={"status": "suspended"}))
    ok(mock.put(f"{MP}/subscriptions/{sub['id']}", headers=mock.mp(), json={"status": "active"}))
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/expire", headers=mock.mp()))
    one_time = m["latest_txn"]["id"]
    ok(mock.put(f"{MP}/transactions/{one_time}", headers=mock.mp(), json={"expires_at": "2020-01-01 00:00:00"}))
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/cancel", headers=mock.mp()))
    ok(mock.delete(f"{MP}/members/{m['id']}", headers=mock.mp()))
    by_rest = set(names(mock))
    # the rest through the control route
    for event in outbox.events():
        if event not in by_rest:
            r = ok(mock.post(f"/__mock__/events/{event}"), 202)
            assert r["event"] == event and r["queued"] == 1
    rows = queued(mock)
    for event, body in rows:
        assert_valid(event, body)
    assert {event for event, _ in rows} == set(outbox.events())
    assert len(outbox.events()) == 44   # the 38 of the event document and 6 live sites send
    assert by_rest == REST_CAUSED, sorted(by_rest ^ REST_CAUSED)


def test_every_event_has_a_trigger_route(mock):
    subscribe(mock)
    for event in outbox.events():
        r = ok(mock.post(f"/__mock__/events/{event}"), 202)
        assert r["queued"] == 1
        assert_valid(event, {"event": event, "type": outbox.event_type(event), "data": r["data"]})
    assert names(mock) == list(outbox.events())


def test_rest_scenario_exact_order(mock):
    subscribe(mock)
    plan = memberships(mock)[0]["id"]
    m = new_member(mock, "signup", transaction={"membership": plan, "status": "complete", "amount": "9.00",
                                                "gateway": "peum51-1tc", "expires_at": "2099-01-01 00:00:00"})
    assert names(mock) == ["member-added", "transaction-completed", "non-recurring-transaction-completed",
                           "member-signup-completed"]
    added, signed = queued(mock)[0][1]["data"], queued(mock)[3][1]["data"]
    assert added["id"] == m["id"] and added["active_txn_count"] == "0", "member-added: before the payment"
    assert signed["active_txn_count"] == "1" and signed["latest_txn"]["status"] == "complete"
    txn_id = m["latest_txn"]["id"]
    sub = new_sub(mock, m["id"], plan)
    # an update that is not a status transition sends nothing
    ok(mock.put(f"{MP}/transactions/{txn_id}", headers=mock.mp(), json={"subscription": sub["id"], "status": "complete"}))
    ok(mock.post(f"{MP}/transactions/{txn_id}/refund", headers=mock.mp()))
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/cancel", headers=mock.mp()))
    # repeating them is no transition either
    ok(mock.post(f"{MP}/transactions/{txn_id}/refund", headers=mock.mp()))
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/cancel", headers=mock.mp()))
    assert names(mock)[4:] == ["subscription-created", "transaction-refunded", "subscription-stopped"]
    rows = queued(mock)
    assert rows[5][1]["data"]["id"] == txn_id and rows[5][1]["data"]["status"] == "refunded"
    assert rows[6][1]["data"]["id"] == sub["id"] and rows[6][1]["data"]["status"] == "cancelled"
    for event, body in rows:
        assert_valid(event, body)

    sub2 = new_sub(mock, m["id"], plan)
    pay = new_txn(mock, m["id"], plan, subscription=sub2["id"], status="complete")
    start = len(queued(mock))
    ok(mock.post(f"{MP}/transactions/{pay['id']}/refund_and_cancel", headers=mock.mp()))
    assert names(mock, start) == ["transaction-refunded", "subscription-stopped"]

    ok(mock.delete(f"{MP}/members/{m['id']}", headers=mock.mp()))
    event, body = queued(mock)[-1]
    assert event == "member-deleted" and body["data"]["id"] is None and body["data"]["email"] is None
    assert body["data"]["recent_transactions"], "the activity is built before the rows are deleted"
    assert_valid(event, body)


def test_failed_change_queues_nothing(mock):
    subscribe(mock)
    r = mock.post(f"{MP}/members", headers=mock.mp(), json={
        "email": "ghost@example.org", "username": "ghost", "transaction": {"membership": 999999, "status": "complete"}})
    assert r.status_code == 400
    alice = mock.site.user_by("user_login", "alice")
    r = mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        "member": alice["id"], "membership": memberships(mock)[0]["id"], "status": "complete", "gateway": "nope"})
    assert r.status_code == 400
    txn = ok(mock.get(f"{MP}/transactions", headers=mock.mp(), query_string={"status": "pending"}))[0]
    r = mock.put(f"{MP}/transactions/{txn['id']}", headers=mock.mp(), json={"status": "complete", "member": 999999})
    assert r.status_code == 400
    assert ok(mock.get(f"{MP}/transactions/{txn['id']}", headers=mock.mp()))["status"] == "pending"
    assert queued(mock) == []


def test_nothing_queued_without_subscriptions(mock):
    plan = memberships(mock)[0]["id"]
    m = new_member(mock, "quiet", transaction={"membership": plan, "status": "complete"})
    ok(mock.post(f"{MP}/transactions/{m['latest_txn']['id']}/refund", headers=mock.mp()))
    ok(mock.delete(f"{MP}/members/{m['id']}", headers=mock.mp()))
    r = ok(mock.post("/__mock__/events/login"), 202)
    assert r["queued"] == 0 and r["data"]["username"]
    assert queued(mock) == []


def test_subscription_to_one_event_gets_only_that_event(mock):
    subscribe(mock, "transaction-refunded", "https://a.example/refunds")
    plan = memberships(mock)[0]["id"]
    m = new_member(mock, "picky", transaction={"membership": plan, "status": "complete"})
    assert queued(mock) == []
    ok(mock.post(f"{MP}/transactions/{m['latest_txn']['id']}/refund", headers=mock.mp()))
    assert names(mock) == ["transaction-refunded"]
    subscribe(mock, "all", "https://b.example/all")
    ok(mock.post(f"{MP}/transactions/{m['latest_txn']['id']}", headers=mock.mp(), json={"status": "complete"}))
    ok(mock.post(f"{MP}/transactions/{m['latest_txn']['id']}/refund", headers=mock.mp()))
    rows = mock.site.store.db.execute(
        "SELECT event, url FROM webhook_deliveries WHERE event = 'transaction-refunded' ORDER BY id").fetchall()
    assert sorted(url for _, url in rows) == ["https://a.example/refunds", "https://a.example/refunds",
                                              "https://b.example/all"]


def test_renewal_is_the_second_payment(mock):
    subscribe(mock)
    plan = memberships(mock)[1]["id"]
    m = new_member(mock, "renewer")
    sub = new_sub(mock, m["id"], plan)
    start = len(queued(mock))
    new_txn(mock, m["id"], plan, subscription=sub["id"], status="complete")
    assert names(mock, start) == ["transaction-completed", "recurring-transaction-completed"]
    start = len(queued(mock))
    pending = new_txn(mock, m["id"], plan, subscription=sub["id"], status="pending")
    assert names(mock, start) == []
    ok(mock.put(f"{MP}/transactions/{pending['id']}", headers=mock.mp(), json={"status": "complete"}))
    assert names(mock, start) == ["transaction-completed", "recurring-transaction-completed",
                                  "renewal-transaction-completed"]
    renewal = queued(mock)[-1][1]["data"]
    assert renewal["id"] == pending["id"] and renewal["subscription_payment_index"] == 2 and renewal["rebill"] is True
    start = len(queued(mock))
    ok(mock.put(f"{MP}/transactions/{pending['id']}", headers=mock.mp(), json={"amount": "20.00"}))
    assert names(mock, start) == [], "no second completed event for an unrelated update"
    new_txn(mock, m["id"], plan, subscription=sub["id"], status="failed")
    assert names(mock, start) == ["transaction-failed", "recurring-transaction-failed"]


def test_expiry_events(mock):
    subscribe(mock)
    plan = memberships(mock)[1]["id"]
    m = new_member(mock, "lapser")
    sub = new_sub(mock, m["id"], plan)
    pays = [new_txn(mock, m["id"], plan, subscription=sub["id"], status="complete") for _ in range(2)]
    start = len(queued(mock))
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/expire", headers=mock.mp()))
    assert names(mock, start) == ["transaction-expired", "recurring-transaction-expired"] * 2 + ["subscription-expired"]
    assert [b["data"]["id"] for _, b in queued(mock)[start:start + 4:2]] == [p["id"] for p in pays]
    start = len(queued(mock))
    ok(mock.post(f"{MP}/subscriptions/{sub['id']}/expire", headers=mock.mp()))
    assert names(mock, start) == [], "already expired"
    one = new_txn(mock, m["id"], plan, status="complete")
    start = len(queued(mock))
    ok(mock.put(f"{MP}/transactions/{one['id']}", headers=mock.mp(), json={"expires_at": "2021-05-01 00:00:00"}))
    assert names(mock, start) == ["transaction-expired", "non-recurring-transaction-expired"]


def test_trigger_route(mock):
    subscribe(mock)
    alice = mock.site.user_by("user_login", "alice")
    before = mock.site.store.get("mp_member", alice["id"])["login_count"]
    r = ok(mock.post("/__mock__/events/login", json={"id": alice["id"]}), 202)
    assert r["data"]["id"] == alice["id"] and r["data"]["login_count"] == str(int(before) + 1)
    assert mock.site.store.get("mp_member", alice["id"])["login_count"] == str(int(before) + 1)

    subs = ok(mock.get(f"{MP}/subscriptions", headers=mock.mp(), query_string={"status": "active"}))
    r = ok(mock.post("/__mock__/events/subscription-paused", json={"id": subs[0]["id"]}), 202)
    assert r["data"]["id"] == subs[0]["id"] and r["data"]["status"] == "suspended"
    r = ok(mock.post("/__mock__/events/subscription-resumed", json={"id": subs[0]["id"]}), 202)
    assert r["data"]["status"] == "active"

    r = ok(mock.post("/__mock__/events/transaction-failed"), 202)
    assert r["data"]["status"] == "failed"
    r = ok(mock.post("/__mock__/events/renewal-transaction-completed"), 202)
    assert r["data"]["subscription_payment_index"] >= 2
    r = ok(mock.post("/__mock__/events/after-signup-abandoned-reminder"), 202)
    assert r["data"]["status"] == "pending"

    quiz1 = ok(mock.post("/__mock__/events/mpca-quiz-attempt-completed", json={"id": alice["id"]}), 202)["data"]
    quiz2 = ok(mock.post("/__mock__/events/mpca-quiz-attempt-completed", json={"id": alice["id"]}), 202)["data"]
    assert quiz1["course"]["id"] == quiz2["course"]["id"] and quiz1["quiz"] == quiz2["quiz"]
    assert quiz1["username"] == "alice"

    unknown = mock.post("/__mock__/events/no-such-event")
    assert unknown.status_code == 404 and unknown.json["code"] == "mock_unknown_event"
    for event, wanted in (("login", 999999), ("subscription-paused", 999999), ("transaction-failed", "abc")):
        r = mock.post(f"/__mock__/events/{event}", json={"id": wanted})
        assert r.status_code == 404 and r.json["code"] == "mock_not_found", event
    assert mock.get("/__mock__/events/login").status_code == 404


def test_trigger_generates_what_the_store_lacks(mock):
    subscribe(mock)
    store = mock.site.store
    with store.transaction() as db:
        for kind in ("mp_transaction", "mp_subscription"):
            for row in store.all(kind):
                store.delete(db, kind, int(row["id"]))
    for event in ("renewal-transaction-completed", "recurring-transaction-expired", "before-cc-expires-reminder",
                  "subscription-expired"):
        r = ok(mock.post(f"/__mock__/events/{event}"), 202)
        assert_valid(event, {"event": event, "type": outbox.event_type(event), "data": r["data"]})
    renewal = queued(mock)[0][1]["data"]
    assert renewal["subscription_payment_index"] == 2
    expired = queued(mock)[1][1]["data"]
    assert domain.parse_mysql(expired["expires_at"]) < domain.now()
