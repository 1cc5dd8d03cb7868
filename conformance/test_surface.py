"""Behaviour beyond the vendor documents that a schema cannot state: a walk along a MemberPress
upgrade path, suspend then resume, the event log recording what happened, and WordPress's REST
discovery listing every documented route.

Nothing here relies on the server's data: the walk makes its own group (an upgrade path), two
memberships in it and a member, and the contract's links remove them all at the end. Webhook
events go to a listener this suite runs (``--webhook-host``), as in ``test_webhooks``.
"""
from __future__ import annotations

import uuid

import pytest

from conformance import contract
from conformance import memberpress as mp
from conformance.webhook_listener import Listener
from membermock import contracts, wordpress

MOVES = {"subscription-upgraded", "subscription-upgraded-to-recurring", "subscription-downgraded",
         "subscription-downgraded-to-recurring"}
PAUSES = {"subscription-paused", "subscription-resumed"}


def _titles(member: dict) -> set[str]:
    return {str(m["title"]) for m in member.get("active_memberships") or [] if isinstance(m, dict)}


def _buy(target, member, level):
    sub = mp.ok(mp.call(target, "POST", "/subscriptions", json={
        "member": member["id"], "membership": level["id"], "status": "active", "gateway": mp.gateway(target),
        "price": level["price"], "subscr_id": f"conformance-{uuid.uuid4().hex[:12]}"}), "createSubscription")
    mp.ok(mp.call(target, "POST", "/transactions", json={
        "member": member["id"], "membership": level["id"], "subscription": sub["id"], "status": "complete",
        "gateway": mp.gateway(target), "amount": level["price"], "total": level["price"],
        "expires_at": "2099-01-01 00:00:00", "trans_num": f"conformance-{uuid.uuid4().hex[:12]}"}),
        "createTransaction")
    return sub


@pytest.fixture(scope="module")
def walk(target):
    """Basic, then pro, then basic again within a fresh upgrade-path group, and a suspend/resume,
    with every delivery the server makes meanwhile."""
    mp.require(target)
    with Listener(target.options.webhook_host) as listener:
        hook = mp.call(target, "POST", "/webhooks/subscribe", json={"url": listener.url, "event": "all"})
        hook_id = hook.json()["data"]["id"] if hook.status_code == 201 else None
        try:
            tag = uuid.uuid4().hex[:8]
            group = mp.ok(mp.call(target, "POST", "/groups", json={"title": f"Conformance path {tag}",
                                                                   "is_upgrade_path": True}), "createGroup")
            basic, pro = (mp.ok(mp.call(target, "POST", "/memberships", json={
                "title": f"Conformance {name} {tag}", "price": price, "period": 1, "period_type": "months",
                "group": group["id"], "group_order": order}), "createMembership")
                for name, price, order in (("basic", "5.00", 1), ("pro", "15.00", 2)))
            member = mp.new_member(target)
            steps = []
            for level in (basic, pro, basic):
                sub = _buy(target, member, level)
                got = mp.ok(mp.call(target, "GET", f"/members/{member['id']}"), "getMember")
                steps.append((level, sub, _titles(got)))
            last = steps[-1][1]
            suspended = mp.ok(mp.call(target, "POST", f"/subscriptions/{last['id']}/suspend"), "suspendSubscription")
            resumed = mp.ok(mp.call(target, "POST", f"/subscriptions/{last['id']}/resume"), "resumeSubscription")
            if hook_id:
                listener.wait(lambda came: MOVES | PAUSES <= {d.event for d in came}, 30)
            received = [d.body for d in listener.deliveries()]
        finally:
            if hook_id:
                mp.call(target, "DELETE", f"/webhooks/unsubscribe/{hook_id}")
    return {"steps": steps, "member": member, "suspended": suspended, "resumed": resumed, "events": received,
            "hooked": hook_id is not None, "url": listener.url}


def _inner(answer: dict) -> dict:
    data = answer.get("data") or {}
    return data.get("data", data) if isinstance(data, dict) and "headers" in data else data


@pytest.mark.api("memberpress")
@pytest.mark.writes
@pytest.mark.covers("createGroup", "createMembership", "createSubscription", "createTransaction", "getMember",
                    "getSubscription")
def test_upgrade_path_moves_the_member(walk, target):
    for (level, _sub, held), step in zip(walk["steps"], ("first purchase", "upgrade", "downgrade")):
        assert held == {level["title"]}, (f"getMember: rule 'one membership per upgrade path' broken after the "
                                          f"{step}: active_memberships {sorted(held)}, expected {level['title']!r}")
    for _level, sub, _held in walk["steps"][:2]:
        old = mp.ok(mp.call(target, "GET", f"/subscriptions/{sub['id']}"), "getSubscription")
        assert old["status"] == "cancelled", \
            f"getSubscription: rule 'the old subscription ends' broken: {sub['id']} is {old['status']!r}"


@pytest.mark.api("memberpress")
@pytest.mark.writes
@pytest.mark.parametrize("event", [pytest.param(e, marks=pytest.mark.event(e), id=e) for e in sorted(MOVES | PAUSES)])
def test_move_and_pause_events_arrive(walk, event):
    if not walk["hooked"]:
        pytest.skip("the server does not offer webhooks")
    mine = [e for e in walk["events"] if isinstance(e, dict) and e.get("event") == event]
    assert mine, f"{event}: rule 'event sent' broken: not delivered to {walk['url']}"
    problems = contracts.problems("memberpress.event", mine[0])
    assert not problems, f"{event}: rule 'payload conforms' broken: " + "; ".join(map(str, problems[:5]))
    subs = {str(sub["id"]) for _level, sub, _held in walk["steps"]}
    assert str(mine[0]["data"].get("id")) in subs, f"{event}: rule 'payload is the new subscription' broken"


@pytest.mark.api("memberpress")
@pytest.mark.writes
@pytest.mark.covers("suspendSubscription", "resumeSubscription")
def test_suspend_then_resume(walk):
    assert _inner(walk["suspended"]).get("status") == "suspended", "suspendSubscription: rule 'status suspended' broken"
    assert _inner(walk["resumed"]).get("status") == "active", "resumeSubscription: rule 'status active again' broken"


@pytest.mark.api("memberpress")
@pytest.mark.writes
@pytest.mark.covers("listEvents", "getEvent")
def test_event_log_records_what_happened(walk, target):
    member = str(walk["member"]["id"])
    found = mp.ok(mp.call(target, "GET", "/events", params={"search[event]": "member-added", "per_page": 50}),
                  "listEvents")
    mine = [e for e in found if str(e.get("evt_id")) == member]
    assert mine, f"listEvents: rule 'the log records member-added' broken: no entry for member {member}"
    assert all(e["event"] == "member-added" for e in found), "listEvents: rule 'search[event] filters' broken"
    one = mp.ok(mp.call(target, "GET", f"/events/{mine[0]['id']}"), "getEvent")
    assert str(one["evt_id"]) == member and one["evt_id_type"] == "users", "getEvent: rule 'same entry' broken"


def _discovery_ops():
    return [op for api in contract.API_NAMES for op in contract.operations(api) if op.raw.get("x-wp-discovery")]


@pytest.mark.parametrize("op", [pytest.param(op, id=op.op_id, marks=[pytest.mark.api(op.api), pytest.mark.covers(op.op_id)])
                                for op in _discovery_ops() if op.raw["x-wp-discovery"] == "namespace"])
def test_namespace_index_lists_every_documented_route(op, target):
    index = target.call(op.api, "GET", op.path, auth=None)
    assert index.status_code == 200, f"{op.op_id}: rule 'index answers anyone' broken: {index.status_code}"
    routes = index.json().get("routes") or {}
    doc = contract.document(op.api)
    namespace = op.path.removeprefix(wordpress.PREFIX).strip("/")
    for path, item in doc["paths"].items():
        key = wordpress.route_key(doc, path, item)
        if wordpress.namespace_of(key) != namespace:
            continue
        assert key in routes, f"{op.op_id}: rule 'every documented route listed' broken: {key} ({path}) missing"
        for method in wordpress.VERBS:
            if method.lower() in item:
                assert method in routes[key].get("methods", []), \
                    f"{op.op_id}: rule 'documented methods listed' broken: {method} {key}"


@pytest.mark.parametrize("op", [pytest.param(op, id=op.op_id, marks=[pytest.mark.api(op.api), pytest.mark.covers(op.op_id)])
                                for op in _discovery_ops() if op.raw["x-wp-discovery"] == "index"])
def test_site_index_names_the_namespaces(op, target):
    index = target.call(op.api, "GET", op.path, auth=None)
    assert index.status_code == 200, f"{op.op_id}: rule 'index answers anyone' broken: {index.status_code}"
    served = set(index.json().get("namespaces") or [])
    for api in target.options.apis:
        for other in _discovery_ops():
            if other.api == api and other.raw["x-wp-discovery"] == "namespace":
                wanted = other.path.removeprefix(wordpress.PREFIX).strip("/")
                assert wanted in served, f"{op.op_id}: rule 'namespaces listed' broken: {wanted} not in {sorted(served)}"
