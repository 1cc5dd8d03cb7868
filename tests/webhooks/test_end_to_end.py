"""An integrator's receiver, for real: a `membermock serve` process posting to a `webhooks listen` process."""
import uuid

from tests.server.harness import running
from tests.webhooks.listener import Listener

EXPECTED = [
    "member-added", "transaction-completed", "non-recurring-transaction-completed", "member-signup-completed",
    "subscription-created", "transaction-completed", "recurring-transaction-completed",
    "transaction-refunded", "offline-payment-refunded", "subscription-stopped",   # manual is the offline gateway
]


def test_lifecycle_events_arrive_in_order_and_valid(tmp_path, site_db):
    with Listener(tmp_path / "got.jsonl") as listener, running(site_db, workers=2) as server:
        subscribed = server.mp("POST", "/webhooks/subscribe", data={"url": listener.url, "event": "all"})
        assert subscribed.status_code == 201, subscribed.text

        plan = server.mp("GET", "/memberships", params={"per_page": 1}).json()[0]["id"]
        tag = uuid.uuid4().hex[:8]
        member = server.mp("POST", "/members", json={
            "email": f"e2e-{tag}@example.org", "username": f"e2e-{tag}",
            "transaction": {"membership": plan, "status": "complete", "amount": "19.00"}}).json()
        sub = server.mp("POST", "/subscriptions", json={
            "member": member["id"], "membership": plan, "gateway": "manual", "status": "active"}).json()
        payment = server.mp("POST", "/transactions", json={
            "member": member["id"], "membership": plan, "subscription": sub["id"], "gateway": "manual",
            "status": "complete", "amount": "19.00"}).json()
        assert server.mp("POST", f"/transactions/{payment['id']}/refund").status_code == 200
        assert server.mp("POST", f"/subscriptions/{sub['id']}/cancel").status_code == 200

        got = listener.wait_for(len(EXPECTED))
    assert [g["event"] for g in got] == EXPECTED
    assert all(g["valid"] for g in got), [(g["event"], g["problems"]) for g in got if not g["valid"]]
    assert got[0]["body"]["data"]["id"] == member["id"]
    assert got[7]["body"]["data"]["id"] == payment["id"] and got[7]["body"]["data"]["status"] == "refunded"
    assert got[8]["body"]["data"]["id"] == payment["id"] and got[8]["event"] == "offline-payment-refunded"
    assert got[9]["body"]["data"]["id"] == sub["id"] and got[9]["body"]["data"]["status"] == "cancelled"
    assert len({g["headers"]["x-membermock-delivery-id"] for g in got}) == len(EXPECTED)


def test_every_event_can_be_triggered_and_arrives_valid(tmp_path, site_db):
    from mock_server.webhooks.outbox import events

    with Listener(tmp_path / "all.jsonl") as listener, \
            running(site_db, extra=["--webhook", listener.url]) as server:
        for event in events():
            r = server.http.post(server.url(f"/__mock__/events/{event}"), timeout=30)
            assert r.status_code == 202, (event, r.text)
        got = listener.wait_for(len(events()))
    assert sorted(g["event"] for g in got) == sorted(events())
    assert [g["event"] for g in got if not g["valid"]] == []
