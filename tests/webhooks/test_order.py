"""One receiver URL subscribed once per event, as integrators often do, gets the events in the order
they happened, even while several clients change the site at once through several workers."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.server.harness import API_KEY, running
from tests.webhooks.listener import Listener

LIFECYCLE = [
    "member-added", "transaction-completed", "non-recurring-transaction-completed", "member-signup-completed",
    "subscription-created", "transaction-completed", "recurring-transaction-completed",
    "transaction-refunded", "subscription-stopped",
]
CLIENTS, ROUNDS = 6, 4
_local = threading.local()


def mp(server, method, path, **kw):
    """One HTTP session per client thread, as separate integrator processes would have."""
    http = getattr(_local, "http", None) or setattr(_local, "http", requests.Session()) or _local.http
    r = http.request(method, server.url(f"/wp-json/mp/v1{path}"), headers={"MEMBERPRESS-API-KEY": API_KEY},
                     timeout=30, **kw)
    assert r.status_code in (200, 201), (method, path, r.status_code, r.text)
    return r.json()


def lifecycle(server, plan: int) -> int:
    """What an integrator's app does for one customer; returns the member's id."""
    tag = uuid.uuid4().hex[:10]
    member = mp(server, "POST", "/members", json={
        "email": f"o{tag}@example.org", "username": f"o{tag}",
        "transaction": {"membership": plan, "status": "complete", "amount": "19.00"}})
    sub = mp(server, "POST", "/subscriptions", json={
        "member": member["id"], "membership": plan, "gateway": "manual", "status": "active"})
    payment = mp(server, "POST", "/transactions", json={
        "member": member["id"], "membership": plan, "subscription": sub["id"], "gateway": "manual",
        "status": "complete", "amount": "19.00"})
    mp(server, "POST", f"/transactions/{payment['id']}/refund")
    mp(server, "POST", f"/subscriptions/{sub['id']}/cancel")
    return member["id"]


def member_of(delivery: dict) -> int:
    data = delivery["body"]["data"]
    return data["id"] if delivery["body"]["type"] == "member" else int(data["member"]["id"])


def test_one_url_subscribed_per_event_gets_commit_order_under_concurrent_load(tmp_path, site_db):
    with Listener(tmp_path / "got.jsonl") as listener, running(site_db, workers=2) as server:
        for event in sorted(set(LIFECYCLE)):  # one subscription per event, all to the same URL
            mp(server, "POST", "/webhooks/subscribe", data={"url": listener.url, "event": event})
        plan = mp(server, "GET", "/memberships", params={"per_page": 1})[0]["id"]
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            members = list(pool.map(lambda _: lifecycle(server, plan), range(CLIENTS * ROUNDS)))
        got = listener.wait_for(len(members) * len(LIFECYCLE), timeout=60)
        queued = requests.get(server.url("/__mock__/webhooks/deliveries"), timeout=30).json()

    assert len(got) == len(queued) == len(members) * len(LIFECYCLE)
    assert len({d["subscription_id"] for d in queued}) == len(set(LIFECYCLE))
    # commit order: outbox rows are numbered as their transactions commit
    arrival = [g["headers"]["x-membermock-delivery-id"] for g in got]
    assert arrival == [d["delivery_id"] for d in sorted(queued, key=lambda d: d["id"])]
    # and, read from the payloads alone, each customer's story arrives in the order it happened
    for member in members:
        assert [g["event"] for g in got if member_of(g) == member] == LIFECYCLE, member
    assert all(g["valid"] for g in got)
