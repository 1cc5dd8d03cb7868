"""``POST /__mock__/events/{event}``: send any of the 38 webhook events on demand.

For the events no REST call can cause (login, pause/resume, upgrades and downgrades, reminders,
course progress) and, for convenience, for every other one. The payload is built from a stored
object: the one named by ``{"id": ...}`` in the body (a member, subscription or transaction, as
the event's contract says), else a stored object that fits the event (a failed transaction for
transaction-failed, a subscription's 2nd payment for renewal-transaction-completed, ...), else
one generated and stored for it. The event is queued through ``outbox.emit`` in the same store
transaction as whatever the trigger changes (login counts the login; paused/resumed set the
subscription's status), exactly like a REST change.
"""
from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import request

from membermock import contracts
from mock_server import wp
from mock_server.sites import current
from mock_server.memberpress import domain, events
from mock_server.memberpress.domain import KIND, SEQUENCE
from mock_server.webhooks import outbox

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
}
SUB_FIT = {
    "subscription-paused": (lambda s: s["status"] == "active", {"status": "active"}),
    "subscription-resumed": (lambda s: s["status"] == "suspended", {"status": "suspended"}),
    "subscription-stopped": (lambda s: s["status"] == "cancelled", {"status": "cancelled"}),
    "after-cc-expires-reminder": (lambda s: s["status"] == "active" and bool(s.get("cc_last4")), {"status": "active"}),
    "before-cc-expires-reminder": (lambda s: s["status"] == "active" and bool(s.get("cc_last4")), {"status": "active"}),
}
SUB_STATUS_AFTER = {"subscription-paused": "suspended", "subscription-resumed": "active"}


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

def _member_and_membership(site):
    member = pick_member(site, "")
    memberships = site.store.all(KIND["memberships"])
    recurring = [m for m in memberships if m.get("period_type") != "lifetime"]
    return member, (recurring or memberships or [None])[0]


def make_subscription(site, db, spec: dict) -> dict:
    member, membership = _member_and_membership(site)
    body = {"member": member["id"] if member else 0, "membership": membership["id"] if membership else 0,
            "status": spec.get("status", "active"), "gateway": "peum51-1tc", "cc_last4": "4242",
            "cc_exp_month": "12", "cc_exp_year": str(domain.now().year + 2)}
    sub = domain.new_subscription(site.store.next_id(db, SEQUENCE["subscriptions"]), body, membership,
                                  domain.now(), events_token())
    return site.store.put(db, KIND["subscriptions"], sub)


def make_transaction(site, db, spec: dict) -> dict:
    member, membership = _member_and_membership(site)
    now = domain.now()
    sub = make_subscription(site, db, {"status": "active"}) if spec.get("sub") else None
    base = {"member": member["id"] if member else 0, "membership": membership["id"] if membership else 0,
            "amount": (membership or {}).get("price", "10.00"), "gateway": sub["gateway"] if sub else "manual",
            "subscription": sub["id"] if sub else "0", "status": spec["status"]}
    if spec.get("renewal"):
        _store_txn(site, db, {**base, "status": "complete", "expires_at": domain.mysql(now - timedelta(days=1))},
                   now - timedelta(days=31))
    expires = now - timedelta(days=1) if spec.get("past") else now + timedelta(days=30)
    return _store_txn(site, db, {**base, "expires_at": domain.mysql(expires)}, now)


def _store_txn(site, db, body: dict, when) -> dict:
    txn = domain.new_transaction(site.store.next_id(db, SEQUENCE["transactions"]), body, when, events_token())
    return site.store.put(db, KIND["transactions"], txn)


def events_token() -> str:
    from mock_server.memberpress.handlers import token
    return token()


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
            data = events.subscription_data(site, sub["id"])
        else:
            if wanted_id is not None:
                txn = store.get(KIND["transactions"], _wanted("transaction", wanted_id))
                if txn is None:
                    raise NotFound(f"No transaction with id {wanted_id!r}.")
            else:
                txn = pick_transaction(site, db, event)
            data = events.transaction_data(site, txn["id"])
        queued = outbox.emit(site, db, event, data)
    return queued, data


def register(app) -> None:
    def view(event):
        site = current()
        if event not in outbox.events():
            return wp.error("mock_unknown_event", f"Unknown MemberPress event: {event}.", 404,
                            events=list(outbox.events()))
        body = request.get_json(silent=True) if request.get_data() else None
        wanted = body.get("id") if isinstance(body, dict) else None
        if wanted is None:
            wanted = request.args.get("id")
        try:
            queued, data = trigger(site, event, wanted)
        except NotFound as exc:
            return wp.error("mock_not_found", str(exc), 404)
        return wp.reply({"event": event, "queued": queued, "data": data}, 202)

    app.add_url_rule(ROUTE, endpoint="mock_trigger_event", view_func=view, methods=["POST"])
