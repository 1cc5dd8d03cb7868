"""Against a real `membermock serve` process with a real `webhooks listen` receiver: a walk along an
upgrade path and back, suspend then resume, and payments on the offline gateway."""
import uuid

from tests.contract import assert_conforms
from tests.server.harness import running
from tests.webhooks.listener import Listener

MOVES = {"subscription-upgraded", "subscription-upgraded-to-recurring", "subscription-upgraded-to-one-time",
         "subscription-downgraded", "subscription-downgraded-to-recurring", "subscription-downgraded-to-one-time"}


def ok(response, method, path):
    assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text[:300])
    assert_conforms(response)
    return response.json()


def call(server, method, path, **kw):
    return ok(server.mp(method, path, **kw), method, path)


def new_member(server):
    tag = uuid.uuid4().hex[:8]
    return call(server, "POST", "/members", json={"email": f"walk-{tag}@example.org", "username": f"walk-{tag}"})


def buy(server, member, membership, gateway="peum51-1tc"):
    sub = call(server, "POST", "/subscriptions", json={
        "member": member["id"], "membership": membership["id"], "status": "active", "gateway": gateway})
    txn = call(server, "POST", "/transactions", json={
        "member": member["id"], "membership": membership["id"], "subscription": sub["id"], "gateway": gateway,
        "status": "complete", "amount": membership["price"], "expires_at": "2099-01-01 00:00:00"})
    return sub, txn


def active(server, member):
    return [m["title"] for m in call(server, "GET", f"/members/{member['id']}")["active_memberships"]]


def wait_moves(listener, count, timeout=30):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = [g for g in listener.received() if g["event"] in MOVES]
        if len(got) >= count:
            return got
        time.sleep(0.05)
    raise AssertionError(f"expected {count} move events, got {[g['event'] for g in listener.received()]}")


def test_upgrade_path_walk_basic_pro_and_back(tmp_path):
    with Listener(tmp_path / "moves.jsonl") as listener, \
            running(tmp_path / "site.sqlite3", extra=["--webhook", listener.url]) as server:
        tiers = {m["title"]: m for m in call(server, "GET", "/memberships", params={"per_page": -1})}
        basic, pro = tiers["Bronze"], tiers["Gold"]
        assert basic["group"]["id"] == pro["group"]["id"] and basic["group"]["is_upgrade_path"] is True
        member = new_member(server)

        basic_sub, _ = buy(server, member, basic)
        assert active(server, member) == ["Bronze"]
        pro_sub, _ = buy(server, member, pro)
        up = wait_moves(listener, 2)
        assert [g["event"] for g in up] == ["subscription-upgraded", "subscription-upgraded-to-recurring"]
        assert all(g["body"]["data"]["id"] == pro_sub["id"] and g["valid"] for g in up)
        assert active(server, member) == ["Gold"]
        assert call(server, "GET", f"/subscriptions/{basic_sub['id']}")["status"] == "cancelled"

        back_sub, _ = buy(server, member, basic)
        down = wait_moves(listener, 4)[2:]
        assert [g["event"] for g in down] == ["subscription-downgraded", "subscription-downgraded-to-recurring"]
        assert all(g["body"]["data"]["id"] == back_sub["id"] and g["valid"] for g in down)
        assert active(server, member) == ["Bronze"]
        assert call(server, "GET", f"/subscriptions/{pro_sub['id']}")["status"] == "cancelled"
        stopped = {g["body"]["data"]["id"] for g in listener.received() if g["event"] == "subscription-stopped"}
        assert {basic_sub["id"], pro_sub["id"]} <= stopped, "each old subscription is ended"


def test_suspend_then_resume_deliver_paused_then_resumed(tmp_path):
    with Listener(tmp_path / "pause.jsonl") as listener, \
            running(tmp_path / "site.sqlite3", extra=["--webhook", f"{listener.url}=subscription-paused,subscription-resumed"]) as server:
        silver = {m["title"]: m for m in call(server, "GET", "/memberships", params={"per_page": -1})}["Silver"]
        sub, _ = buy(server, new_member(server), silver)
        assert call(server, "POST", f"/subscriptions/{sub['id']}/suspend")["data"]["data"]["status"] == "suspended"
        assert call(server, "POST", f"/subscriptions/{sub['id']}/resume")["data"]["data"]["status"] == "active"
        got = listener.wait_for(2)
    assert [g["event"] for g in got] == ["subscription-paused", "subscription-resumed"]
    assert [g["body"]["data"]["status"] for g in got] == ["suspended", "active"]
    assert all(g["body"]["data"]["id"] == sub["id"] and g["valid"] for g in got)


def test_offline_gateway_transactions_deliver_the_offline_events(tmp_path):
    wanted = "offline-payment-pending,offline-payment-complete,offline-payment-refunded"
    with Listener(tmp_path / "offline.jsonl") as listener, \
            running(tmp_path / "site.sqlite3", extra=["--webhook", f"{listener.url}={wanted}"]) as server:
        gold = {m["title"]: m for m in call(server, "GET", "/memberships", params={"per_page": -1})}["Gold"]
        member = new_member(server)
        txn = call(server, "POST", "/transactions", json={
            "member": member["id"], "membership": gold["id"], "gateway": "manual", "status": "pending",
            "amount": gold["price"]})
        call(server, "PATCH", f"/transactions/{txn['id']}", json={"status": "complete"})
        assert active(server, member) == ["Gold"]
        call(server, "POST", f"/transactions/{txn['id']}/refund")
        got = listener.wait_for(3)
    assert [g["event"] for g in got] == wanted.split(",")
    assert [g["body"]["data"]["status"] for g in got] == ["pending", "complete", "refunded"]
    assert all(g["body"]["data"]["id"] == txn["id"] and g["body"]["data"]["gateway"] == "manual" and g["valid"]
               for g in got)


def test_optional_routes_only_with_the_flag(tmp_path):
    with running(tmp_path / "plain.sqlite3") as server:
        r = server.mp("GET", "/membership_options")
        assert r.status_code == 404 and r.json()["code"] == "rest_no_route"
    with running(tmp_path / "full.sqlite3", extra=["--mp-optional-routes"]) as server:
        assert "lifetime" in call(server, "GET", "/membership_options")["period_type"]
        assert call(server, "GET", "/me/permissions")["data"]["capabilities"] == ["remove_users"]
