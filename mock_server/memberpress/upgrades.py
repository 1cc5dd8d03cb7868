"""Moves along an upgrade path: buying a membership of a group that is an upgrade path ends the
member's other membership of that group and reports an upgrade or a downgrade.

MemberPress does this when a purchase takes effect (``MeprTransaction::maybe_cancel_old_sub``):
the old subscription's payments are expired and the subscription cancelled (a one-time purchase
is expired instead), then ``subscription-upgraded`` or ``-downgraded`` is recorded by the two
memberships' ``group_order``, with the ``-to-recurring`` / ``-to-one-time`` variant for what the
member moved to. Here a purchase takes effect when a transaction becomes complete or confirmed,
or a subscription becomes active (created so, or from pending); the handlers call ``purchased``
after the new row's own events, inside the same store transaction.
"""
from __future__ import annotations

from datetime import timedelta

from mock_server.memberpress import domain, events
from mock_server.memberpress.domain import KIND


def took_effect(before: dict | None, after: dict, kind: str) -> bool:
    """A purchase starts to count: the row became active just now."""
    was = (before or {}).get("status")
    if kind == "subscriptions":
        return after.get("status") == "active" and was in (None, "pending")
    return after.get("status") in domain.ACTIVE_TXN and was not in domain.ACTIVE_TXN \
        and domain.is_active(after, domain.now())


def _group_of(store, membership: dict | None) -> dict | None:
    group = store.get(KIND["groups"], domain.intval((membership or {}).get("group")))
    return group if group and domain.truthy(group.get("is_upgrade_path")) else None


def purchased(site, db, before: dict | None, after: dict, kind: str) -> list[str]:
    """End the member's other membership in the purchase's upgrade-path group and send the move's
    events. Returns the names of the move events (empty when the purchase is no move)."""
    if not took_effect(before, after, kind):
        return []
    store, at = site.store, domain.now()
    membership = store.get(KIND["memberships"], domain.intval(after.get("membership")))
    group = _group_of(store, membership)
    if group is None:
        return []
    sub_id = after["id"] if kind == "subscriptions" else _sub_of(after)
    member = str(after.get("member"))

    def in_group(row) -> bool:
        other = store.get(KIND["memberships"], domain.intval(row.get("membership")))
        return bool(other) and str(other.get("group")) == str(group["id"]) and other["id"] != membership["id"]

    old_txns = [t for t in store.all(KIND["transactions"])
                if str(t.get("member")) == member and domain.is_active(t, at) and in_group(t)
                and t["id"] != after["id"] and not (sub_id and _sub_of(t) == sub_id)]
    old_subs = [s for s in store.all(KIND["subscriptions"])
                if str(s.get("member")) == member and s["id"] != sub_id and in_group(s)
                and (s.get("status") == "active" or s["id"] in {_sub_of(t) for t in old_txns})]
    if not old_txns and not old_subs:
        return []
    latest = max(old_txns or old_subs, key=lambda r: (r.get("created_at", ""), int(r["id"])))
    old_membership = store.get(KIND["memberships"], domain.intval(latest.get("membership")))
    _end(site, db, old_subs, [t for t in old_txns if not _sub_of(t)], at)
    direction = domain.group_move(membership, old_membership)
    if direction is None:
        return []
    return events.group_changed(site, db, direction, sub_id, None if sub_id else after["id"])


def _end(site, db, subs: list[dict], one_time: list[dict], at) -> None:
    """The old subscription: payments expired, then cancelled; an old one-time purchase: expired."""
    store = site.store
    for sub in subs:
        txns = [t for t in store.all(KIND["transactions"]) if _sub_of(t) == sub["id"]]
        befores = [dict(t) for t in txns]
        for txn in domain.expire_txns(txns, at):
            store.put(db, KIND["transactions"], txn)
        events.transactions_expired(site, db, sub["id"], list(zip(befores, txns)))
        if sub.get("status") != "cancelled":
            before = dict(sub)
            store.put(db, KIND["subscriptions"], domain.cancel(sub))
            events.subscription_changed(site, db, before, sub)
    for txn in one_time:
        before = dict(txn)
        txn["expires_at"] = domain.mysql(at - timedelta(days=1))
        store.put(db, KIND["transactions"], txn)
        events.transaction_changed(site, db, before, txn)


def _sub_of(row: dict) -> str:
    sub = str(row.get("subscription", "0") or "0")
    return "" if sub == "0" else sub
