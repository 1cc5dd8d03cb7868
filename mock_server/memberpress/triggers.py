"""``POST /__mock__/events/{event}``: send any of the webhook events on demand.

For the events no REST call can cause (login, reminders, course progress, corporate sub accounts)
and, for convenience, for every other one. The payload is built from a stored
object: the one named by ``{"id": ...}`` in the body (a member, subscription or transaction, as
the event's contract says), else a stored object that fits the event (a failed transaction for
transaction-failed, a subscription's 2nd payment for renewal-transaction-completed, ...), else
one generated and stored for it. The event is recorded in the event log and queued
(``events.announce``) in the same store transaction as whatever the trigger changes (login counts
the login; paused/resumed set the subscription's status), exactly like a REST change. A reminder
event names, in the log's args, a published reminder that sends it (the clock that would fire
reminders on their own is not there yet: see ``domain.reminder_event``).
"""
from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import request

from membermock import contracts
from mock_server import forms, wp
from mock_server.sites import current
from mock_server.memberpress import domain, events
from mock_server.memberpress.domain import KIND, SEQUENCE
from mock_server.webhooks import outbox

ABOUT = {"member": "users", "deleted-member": "users", "course": "users", "subscription": "subscriptions",
         "transaction": "transactions"}

ROUTE = "/__mock__/events/<event>"


@cache
def source(event: str) -> str:
    """member, deleted-member, course, subscription or transaction: what the event's data is,
    read from its contract (the deprecated upgraded/downgraded carry a subscription by default)."""
    spec = str(contracts.schema(f"memberpress.events.{event}")["properties"]["data"])
    for token, kind in (("course-member.json", "course"), ("$defs/deleted", "deleted-member"),
                        ("member.json", "member"), ("'else': {'$ref': '../subscription.json'}", "subscription"),
                        ("subscription.json", "subscription"), ("transaction.json", "transaction")):
        if token in spec:
            return kind
    raise LookupError(event)


# -- what fits an event ----------------------------------------------------------------------------
# transaction events: (predicate over (txn, facts), what to generate when nothing fits)

def _sub(t):
    return str(t.get("subscription", "0") or "0") not in ("0", "")


def _live_until(t, f):
    return domain.is_active(t, f["now"]) and domain.parse_mysql(t.get("expires_at")) is not None


def _offline(status):
    return lambda t, f: t["status"] == status and domain.awaits_admin(t.get("gateway"))


def _in_trial(s):
    start = domain.parse_mysql(s.get("created_at"))
    return (s["status"] == "active" and domain.truthy(s.get("trial")) and start is not None
            and start + timedelta(days=domain.intval(s.get("trial_days"))) > domain.now())


TXN_FIT = {
    "transaction-completed": (lambda t, f: t["status"] == "complete", {"status": "complete"}),
    "recurring-transaction-completed": (lambda t, f: t["status"] == "complete" and _sub(t),
                                        {"status": "complete", "sub": True}),
    "renewal-transaction-completed": (lambda t, f: t["status"] == "complete" and (f["index"](t) or 0) > 1,
                                      {"status": "complete", "sub": True, "renewal": True}),
    "non-recurring-transaction-completed": (lambda t, f: t["status"] == "complete" and not _sub(t),
                                            {"status": "complete"}),
    "transaction-failed": (lambda t, f: t["status"] == "failed", {"status": "failed"}),
    "recurring-transaction-failed": (lambda t, f: t["status"] == "failed" and _sub(t),
                                     {"status": "failed", "sub": True}),
    "transaction-refunded": (lambda t, f: t["status"] == "refunded", {"status": "refunded"}),
    "transaction-expired": (lambda t, f: domain.is_expired(t, f["now"]), {"status": "complete", "past": True}),
    "recurring-transaction-expired": (lambda t, f: domain.is_expired(t, f["now"]) and _sub(t),
                                      {"status": "complete", "past": True, "sub": True}),
    "non-recurring-transaction-expired": (lambda t, f: domain.is_expired(t, f["now"]) and not _sub(t),
                                          {"status": "complete", "past": True}),
    "subscription-upgraded-to-one-time": (lambda t, f: t["status"] == "complete" and not _sub(t),
                                          {"status": "complete"}),
    "subscription-downgraded-to-one-time": (lambda t, f: t["status"] == "complete" and not _sub(t),
                                            {"status": "complete"}),
    "after-member-signup-reminder": (lambda t, f: t["status"] == "complete", {"status": "complete"}),
    "after-signup-abandoned-reminder": (lambda t, f: t["status"] == "pending", {"status": "pending"}),
    "before-sub-expires-reminder": (_live_until, {"status": "complete"}),
    "after-sub-expires-reminder": (lambda t, f: domain.is_expired(t, f["now"]), {"status": "complete", "past": True}),
    "before-sub-renews-reminder": (lambda t, f: _live_until(t, f) and _sub(t), {"status": "complete", "sub": True}),
    "offline-payment-pending": (_offline("pending"), {"status": "pending"}),   # made ones use manual (no subscription)
    "offline-payment-complete": (_offline("complete"), {"status": "complete"}),
    "offline-payment-refunded": (_offline("refunded"), {"status": "refunded"}),
    "sub-account-added": (lambda t, f: t.get("txn_type") == "sub_account", {"status": "complete", "sub_account": True}),
    "sub-account-removed": (lambda t, f: t.get("txn_type") == "sub_account", {"status": "complete", "sub_account": True}),
}
SUB_FIT = {
    "subscription-paused": (lambda s: s["status"] == "active", {"status": "active"}),
    "subscription-resumed": (lambda s: s["status"] == "suspended", {"status": "suspended"}),
    "subscription-stopped": (lambda s: s["status"] == "cancelled", {"status": "cancelled"}),
    "after-cc-expires-reminder": (lambda s: s["status"] == "active" and bool(s.get("cc_last4")), {"status": "active"}),
    "before-cc-expires-reminder": (lambda s: s["status"] == "active" and bool(s.get("cc_last4")), {"status": "active"}),
    "before-sub-trial-ends": (_in_trial, {"status": "active", "trial": True}),
}
SUB_STATUS_AFTER = {"subscription-paused": "suspended", "subscription-resumed": "active"}
REMINDER_EVENTS = {e for e in domain.webhook_events() if e.endswith("-reminder") or e == "before-sub-trial-ends"}


def _latest(rows, fits):
    matching = [r for r in rows if fits(r)]
    return max(matching, key=lambda r: int(r["id"])) if matching else None


def pick_member(site, event: str) -> dict | None:
    """A member with a membership history (the richest payload), else any user."""
    txns = site.store.all(KIND["transactions"])
    at = domain.now()
    active = {str(t.get("member")) for t in txns if domain.is_active(t, at)}
    users = site.users()
    return next((u for u in users if str(u["id"]) in active), None) or (users[0] if users else None)


def pick_subscription(site, db, event: str) -> dict:
    rows = site.store.all(KIND["subscriptions"])
    fits, spec = SUB_FIT.get(event, (lambda s: s["status"] == "active", {"status": "active"}))
    if event == "subscription-expired":
        at = domain.now()
        txns = site.store.all(KIND["transactions"])
        live = {str(t.get("subscription")) for t in txns if domain.is_active(t, at)}
        fits = lambda s: s["id"] not in live and any(str(t.get("subscription")) == s["id"] for t in txns)  # noqa: E731
    return _latest(rows, fits) or make_subscription(site, db, spec)


def pick_transaction(site, db, event: str) -> dict:
    rows = site.store.all(KIND["transactions"])
    by_sub: dict[str, list] = {}
    for t in rows:
        by_sub.setdefault(str(t.get("subscription")), []).append(t)
    facts = {"now": domain.now(), "index": lambda t: domain.payment_index(t, by_sub.get(str(t.get("subscription")), []))}
    fits, spec = TXN_FIT.get(event, (lambda t, f: t["status"] == "complete", {"status": "complete"}))
    return _latest(rows, lambda t: fits(t, facts)) or make_transaction(site, db, spec)


# -- made up when nothing fits ---------------------------------------------------------------------

def _member_and_membership(site, trial: bool = False):
    member = pick_member(site, "")
    memberships = site.store.all(KIND["memberships"])
    recurring = [m for m in memberships if m.get("period_type") != "lifetime"]
    with_trial = [m for m in recurring if domain.truthy(m.get("trial"))] if trial else []
    return member, (with_trial or recurring or memberships or [None])[0]


def make_subscription(site, db, spec: dict) -> dict:
    member, membership = _member_and_membership(site, trial=spec.get("trial", False))
    body = {"member": member["id"] if member else 0, "membership": membership["id"] if membership else 0,
            "status": spec.get("status", "active"), "gateway": "peum51-1tc", "cc_last4": "4242",
            "cc_exp_month": "12", "cc_exp_year": str(domain.now().year + 2)}
    sub = domain.new_subscription(site.store.next_id(db, SEQUENCE["subscriptions"]), body, membership,
                                  domain.now())
    return site.store.put(db, KIND["subscriptions"], sub)


def make_transaction(site, db, spec: dict) -> dict:
    member, membership = _member_and_membership(site)
    now = domain.now()
    if spec.get("sub_account"):
        return make_sub_account(site, db, member, membership)
    sub = make_subscription(site, db, {"status": "active"}) if spec.get("sub") else None
    base = {"member": member["id"] if member else 0, "membership": membership["id"] if membership else 0,
            "amount": (membership or {}).get("price", "10.00"), "gateway": sub["gateway"] if sub else "manual",
            "subscription": sub["id"] if sub else "0", "status": spec["status"]}
    if spec.get("renewal"):
        _store_txn(site, db, {**base, "status": "complete", "expires_at": domain.mysql(now - timedelta(days=1))},
                   now - timedelta(days=31))
    expires = now - timedelta(days=1) if spec.get("past") else now + timedelta(days=30)
    return _store_txn(site, db, {**base, "expires_at": domain.mysql(expires)}, now)


def make_sub_account(site, db, parent_member, membership) -> dict:
    """A corporate account (the parent's purchase) and one sub account under it: the sub account's
    transaction is free, of type sub_account, and names its parent transaction and the account."""
    now = domain.now()
    base = {"membership": membership["id"] if membership else 0, "gateway": "manual", "status": "complete",
            "expires_at": domain.mysql(now + timedelta(days=365))}
    parent = _store_txn(site, db, {**base, "member": parent_member["id"] if parent_member else 0,
                                   "amount": (membership or {}).get("price", "10.00")}, now)
    others = [u for u in site.users() if not parent_member or u["id"] != parent_member["id"]]
    child_member = others[-1] if others else parent_member
    child = domain.new_transaction(site.store.next_id(db, SEQUENCE["transactions"]),
                                   {**base, "member": child_member["id"] if child_member else 0, "amount": "0.00"},
                                   now)
    child.update(txn_type="sub_account", parent_transaction_id=parent["id"], corporate_account_id=parent["id"])
    return site.store.put(db, KIND["transactions"], child)


def reminder_for(site, event: str, membership_id) -> str:
    """The id of a published reminder that sends ``event`` for this membership, or "" (the log's args)."""
    for reminder in site.store.all(KIND["reminders"]):
        if reminder.get("status") != "publish" or domain.reminder_event(reminder) != event:
            continue
        if domain.truthy(reminder.get("filter_products")) and str(membership_id) not in reminder.get("products", []):
            continue
        return str(reminder["id"])
    return ""


def _store_txn(site, db, body: dict, when) -> dict:
    txn = domain.new_transaction(site.store.next_id(db, SEQUENCE["transactions"]), body, when)
    return site.store.put(db, KIND["transactions"], txn)


# -- the route ----------------------------------------------------------------------------------

class NotFound(LookupError):
    pass


def _wanted(kind: str, wanted_id):
    try:
        return int(wanted_id)
    except (TypeError, ValueError):
        raise NotFound(f"No {kind} with id {wanted_id!r}.") from None


def trigger(site, event: str, wanted_id=None) -> tuple[int, dict]:
    """Emit ``event``, built from the object ``wanted_id`` names or from one that fits.
    Returns (deliveries queued, payload data). Raises NotFound for an unknown id."""
    kind = source(event)
    store = site.store
    with store.transaction() as db:
        if kind in ("member", "deleted-member", "course"):
            user = site.user(_wanted("member", wanted_id)) if wanted_id is not None else pick_member(site, event)
            if user is None:
                raise NotFound(f"No member with id {wanted_id!r}.")
            if event == "login":
                events.login(site, db, user["id"])
            if kind == "course":
                data = events.course_data(site, user, event)
            elif kind == "deleted-member":
                data = events.deleted_member_data(site, user["id"])
            else:
                data = events.member_data(site, user["id"])
        elif kind == "subscription":
            if wanted_id is not None:
                sub = store.get(KIND["subscriptions"], _wanted("subscription", wanted_id))
                if sub is None:
                    raise NotFound(f"No subscription with id {wanted_id!r}.")
            else:
                sub = pick_subscription(site, db, event)
            if event in SUB_STATUS_AFTER:
                sub["status"] = SUB_STATUS_AFTER[event]
                store.put(db, KIND["subscriptions"], sub)
            data, obj = events.subscription_data(site, sub["id"]), sub
        else:
            if wanted_id is not None:
                txn = store.get(KIND["transactions"], _wanted("transaction", wanted_id))
                if txn is None:
                    raise NotFound(f"No transaction with id {wanted_id!r}.")
            else:
                txn = pick_transaction(site, db, event)
            data, obj = events.transaction_data(site, txn["id"]), txn
        if kind in ("member", "deleted-member", "course"):
            obj = user
        args = reminder_for(site, event, obj.get("membership")) if event in REMINDER_EVENTS else ""
        queued = events.announce(site, db, event, (ABOUT[kind], obj["id"]), data, args)
    return queued, data


def register(app) -> None:
    def view(event):
        site = current()
        if event not in outbox.events():
            return wp.error("mock_unknown_event", f"Unknown MemberPress event: {event}.", 404,
                            events=list(outbox.events()))
        body, _problem = forms.body()
        wanted = body.get("id") if body else None
        if wanted is None:
            wanted = request.args.get("id")
        try:
            queued, data = trigger(site, event, wanted)
        except NotFound as exc:
            return wp.error("mock_not_found", str(exc), 404)
        return wp.reply({"event": event, "queued": queued, "data": data}, 202)

    app.add_url_rule(ROUTE, endpoint="mock_trigger_event", view_func=view, methods=["POST"])
