"""Which MemberPress webhook events a state change sends, and the payload each one carries.

Plain functions over stored rows. The callers (``handlers``, ``triggers``) run them inside the
store transaction that made the change, so reads here see the uncommitted rows and the queued
deliveries commit (or roll back) with the change: an event exists exactly when its cause does.

Rules (docs/memberpress-webhooks.md has the full table):

- transaction rows: an event is sent on a real transition only, comparing the row before and after
  the change. Into ``complete``: transaction-completed, then recurring-/non-recurring-transaction-
  completed, then renewal-transaction-completed for a subscription's 2nd+ payment. Into ``failed``:
  transaction-failed (+ recurring-transaction-failed). Into ``refunded``: transaction-refunded.
  From live to expired (``expires_at`` now in the past on a complete/confirmed row): transaction-
  expired, then recurring-/non-recurring-transaction-expired.
- subscription rows: created -> subscription-created; into ``cancelled`` -> subscription-stopped;
  ``active`` -> ``suspended`` -> subscription-paused; ``suspended`` -> ``active`` -> subscription-resumed;
  the last live payment of a subscription expiring -> subscription-expired.
- members: see ``member_created`` / ``member_updated`` / ``member_deleted``.
- the offline gateway (manual, with administrators completing its payments): a signup created
  pending sends offline-payment-pending; pending -> complete adds offline-payment-complete after the
  completion events; -> refunded adds offline-payment-refunded after transaction-refunded.

Every event is also written to the site's event log (``record``, what GET /events lists), whether
or not a webhook listens: MemberPress records first and sends webhooks from the record.
"""
from __future__ import annotations

import random
from datetime import timedelta

from mock_server.memberpress import domain, serialize
from mock_server.memberpress.domain import KIND, MEMBER_DATA, SEQUENCE
from mock_server.memberpress.serialize import Lookup
from mock_server.webhooks import outbox

USER_FIELDS = ("id", "email", "username", "nicename", "url", "message", "registered_at", "first_name",
               "last_name", "display_name")
COURSE_FIELDS = ("id", "email", "username", "nicename", "registered_at", "display_name")


# -- payloads ------------------------------------------------------------------------------------
# A fresh Lookup each time: it memoises, and the rows it reads may have just changed.

def member_data(site, user_id) -> dict | None:
    lk = Lookup(site)
    user = lk.get(KIND["members"], user_id)
    return serialize.member(user, lk) if user else None


def deleted_member_data(site, user_id) -> dict | None:
    """The member-deleted body: MemberPress builds it once the WordPress user is gone, so the user
    fields are null while the activity (counts, first/latest/recent rows, address) remains."""
    data = member_data(site, user_id)
    if data is None:
        return None
    data.update({name: None for name in USER_FIELDS})
    return data


def subscription_data(site, sub_id) -> dict | None:
    lk = Lookup(site)
    sub = lk.get(KIND["subscriptions"], sub_id)
    return serialize.subscription(sub, lk) if sub else None


def transaction_data(site, txn_id) -> dict | None:
    lk = Lookup(site)
    txn = lk.get(KIND["transactions"], txn_id)
    return serialize.transaction(txn, lk) if txn else None


COURSES = ["Getting Started with Membership Sites", "Advanced Content Strategy", "Email Marketing Essentials",
           "Building an Online Community", "Pricing Your Memberships", "Video Production Basics"]
LESSONS = ["Welcome and Overview", "Setting Up Your Account", "Core Concepts", "Hands-on Exercise",
           "Common Mistakes", "Case Study", "Next Steps"]


def course_data(site, user: dict, event: str) -> dict:
    """The Courses add-on's slim member plus course (and lesson, or quiz and attempt): generated,
    the same for the same member, dated relative to now like a member working through it today."""
    rng = random.Random(int(user["id"]))
    now = domain.now()
    course_id = 1600 + rng.randrange(400)
    started = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
    lesson_started = now - timedelta(minutes=rng.randint(5, 90))
    course_done = event in ("mpca-course-completed", "mpca-quiz-attempt-completed")
    out = {name: member for name, member in
           serialize.member_short(user, Lookup(site)).items() if name in COURSE_FIELDS}
    out["course"] = {"id": course_id, "title": rng.choice(COURSES),
                     "started": domain.mysql(now if event == "mpca-course-started" else started),
                     "completed": domain.mysql(now) if course_done else ""}
    if event.startswith("mpca-lesson"):
        out["lesson"] = {"id": course_id + 1 + rng.randrange(50), "title": rng.choice(LESSONS),
                         "started": domain.mysql(now if event == "mpca-lesson-started" else lesson_started),
                         "completed": domain.mysql(now) if event == "mpca-lesson-completed" else ""}
    if event == "mpca-quiz-attempt-completed":
        possible = rng.randint(5, 20)
        scored = rng.randint(possible // 2, possible)
        out["quiz"] = {"id": course_id + 60 + rng.randrange(40), "title": f"{out['course']['title']} Quiz"}
        out["attempt"] = {"id": rng.randint(1, 500), "attempt_no": rng.randint(1, 3), "points_possible": possible,
                          "points_scored": scored, "score": f"{round(100 * scored / possible)}%",
                          "date_attempt": domain.mysql(now)}
    return out


# -- recording and emitting ----------------------------------------------------------------------
# ``about`` is (evt_id_type, id): ("users", 7), ("transactions", "12"), ("subscriptions", "3").

def listened(site, event: str) -> bool:
    return bool(outbox.subscribers(site.store, event))


def once(build):
    """A payload builder that builds at most once: one change often sends several events."""
    made = []

    def build_once():
        if not made:
            made.append(build())
        return made[0]
    return build_once


def record(site, db, event: str, about: tuple[str, object], args="", when=None) -> dict:
    """One row of the event log (MeprEvent), in the store transaction of the change it reports."""
    evt_id_type, evt_id = about
    row = {"id": str(site.store.next_id(db, SEQUENCE["events"])), "event": event, "args": str(args),
           "evt_id": str(evt_id), "evt_id_type": evt_id_type, "created_at": domain.mysql(when or domain.now())}
    return site.store.put(db, KIND["events"], row)


def send(site, db, event: str, about: tuple[str, object], build, args="") -> int:
    """Record ``event``, and queue it when someone listens; ``build()`` makes the payload only then."""
    record(site, db, event, about, args)
    if not listened(site, event):
        return 0
    data = build()
    return outbox.emit(site, db, event, data) if data is not None else 0


def announce(site, db, event: str, about: tuple[str, object], data: dict, args="") -> int:
    """Record ``event`` and queue it with a payload already built (the control route's events)."""
    record(site, db, event, about, args)
    return outbox.emit(site, db, event, data)


# -- transactions --------------------------------------------------------------------------------

def _sub_of(row: dict | None) -> str:
    sub = str((row or {}).get("subscription", "0") or "0")
    return "" if sub == "0" else sub


def transaction_events(site, before: dict | None, after: dict) -> list[str]:
    """The events one transaction row's change sends, in MemberPress's order."""
    at = domain.now()
    was = (before or {}).get("status")
    now_status = after.get("status")
    recurring = bool(_sub_of(after))
    offline = domain.awaits_admin(after.get("gateway"))
    names: list[str] = []
    if now_status != was:
        if now_status == "complete":
            names += ["transaction-completed",
                      "recurring-transaction-completed" if recurring else "non-recurring-transaction-completed"]
            if recurring:
                sub_txns = site.store.where(KIND["transactions"], "subscription", _sub_of(after))
                index = domain.payment_index(after, sub_txns)
                if index and index > 1:
                    names.append("renewal-transaction-completed")
            if offline and was == "pending":
                names.append("offline-payment-complete")
        elif now_status == "failed":
            names.append("transaction-failed")
            if recurring:
                names.append("recurring-transaction-failed")
        elif now_status == "refunded":
            names.append("transaction-refunded")
            if offline:
                names.append("offline-payment-refunded")
        elif now_status == "pending" and before is None and offline:
            names.append("offline-payment-pending")
    if domain.is_expired(after, at) and not (before and domain.is_expired(before, at)):
        names += ["transaction-expired",
                  "recurring-transaction-expired" if recurring else "non-recurring-transaction-expired"]
    return names


def transaction_changed(site, db, before: dict | None, after: dict) -> list[str]:
    """Queue what a transaction row's change sends; then subscription-expired if it was the
    subscription's last live payment to expire. Returns the event names (queued or not)."""
    names = transaction_events(site, before, after)
    payload = once(lambda: transaction_data(site, after["id"]))
    for name in names:
        send(site, db, name, ("transactions", after["id"]), payload)
    if "transaction-expired" in names and _sub_of(after):
        names += subscription_lapsed(site, db, _sub_of(after))
    return names


def subscription_lapsed(site, db, sub_id: str) -> list[str]:
    """subscription-expired when no payment of the subscription is live any more."""
    at = domain.now()
    rows = site.store.where(KIND["transactions"], "subscription", str(sub_id))
    if any(domain.is_active(t, at) for t in rows):
        return []
    if site.store.get(KIND["subscriptions"], int(sub_id)) is None:
        return []
    send(site, db, "subscription-expired", ("subscriptions", sub_id), lambda: subscription_data(site, sub_id))
    return ["subscription-expired"]


def transactions_expired(site, db, sub_id: str, changes: list[tuple[dict, dict]]) -> list[str]:
    """The expire action: each payment's expiry events, then subscription-expired once."""
    names = []
    for before, after in changes:
        these = transaction_events(site, before, after)
        for name in these:
            send(site, db, name, ("transactions", after["id"]), lambda row=after: transaction_data(site, row["id"]))
        names += these
    if "transaction-expired" in names:
        names += subscription_lapsed(site, db, sub_id)
    return names


# -- subscriptions -------------------------------------------------------------------------------

def subscription_events(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return ["subscription-created"]
    was, now_status = before.get("status"), after.get("status")
    if was == now_status:
        return []
    if now_status == "cancelled":
        return ["subscription-stopped"]
    if now_status == "suspended" and was == "active":
        return ["subscription-paused"]
    if now_status == "active" and was == "suspended":
        return ["subscription-resumed"]
    return []


def subscription_changed(site, db, before: dict | None, after: dict) -> list[str]:
    names = subscription_events(before, after)
    payload = once(lambda: subscription_data(site, after["id"]))
    for name in names:
        send(site, db, name, ("subscriptions", after["id"]), payload)
    return names


# -- members -------------------------------------------------------------------------------------

def member_added(site, db, user_id) -> None:
    """member-added: the user registered (sent before any payment is recorded)."""
    send(site, db, "member-added", ("users", user_id), lambda: member_data(site, user_id))


def signup_completed(site, db, user_id, txn_names: list[str]) -> None:
    """member-signup-completed once the signup's payment went through."""
    if "transaction-completed" in txn_names:
        send(site, db, "member-signup-completed", ("users", user_id), lambda: member_data(site, user_id))


def member_updated(site, db, user_id) -> None:
    send(site, db, "member-account-updated", ("users", user_id), lambda: member_data(site, user_id))


def member_deleting(site, user_id):
    """Build the member-deleted body while the member's rows still exist; emit it with
    ``member_deleted`` after they are gone (None when nobody listens)."""
    return deleted_member_data(site, user_id) if listened(site, "member-deleted") else None


def member_deleted(site, db, user_id, data) -> None:
    record(site, db, "member-deleted", ("users", user_id))
    if data is not None:
        outbox.emit(site, db, "member-deleted", data)


def login(site, db, user_id) -> None:
    """A login: MemberPress counts it in the member's login_count, then sends login."""
    data = site.store.get(MEMBER_DATA, int(user_id)) or {"id": int(user_id), "address": {}, "profile": {},
                                                         "login_count": "0"}
    data["login_count"] = str(domain.intval(data.get("login_count", "0")) + 1)
    site.store.put(db, MEMBER_DATA, data)


# -- moves along an upgrade path -------------------------------------------------------------------

def group_changed(site, db, direction: str, sub_id, txn_id) -> list[str]:
    """subscription-upgraded (or -downgraded), then the variant naming what the member moved to: a
    subscription (-to-recurring, with the subscription) or a one-time payment (-to-one-time, with
    the transaction), in the order MemberPress records them."""
    if sub_id:
        about, build, variant = ("subscriptions", sub_id), (lambda: subscription_data(site, sub_id)), "recurring"
    else:
        about, build, variant = ("transactions", txn_id), (lambda: transaction_data(site, txn_id)), "one-time"
    names = [f"subscription-{direction}", f"subscription-{direction}-to-{variant}"]
    for name in names:
        send(site, db, name, about, build)
    return names
