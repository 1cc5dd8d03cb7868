"""MemberPress over time: what its gateways and its scheduled jobs do while the clock moves.

- An active recurring subscription is billed when its current period ends (the latest payment's
  ``expires_at``): a complete payment for the subscription's price plus tax at its rate, expiring
  one period later, with transaction-completed, recurring-transaction-completed and
  renewal-transaction-completed. A trial ends the same way: its period ends and the full price
  is billed. A failure scheduled with ``POST /__mock__/payments/fail`` makes the attempt a failed
  payment instead (transaction-failed, recurring-transaction-failed); the gateway tries again one
  period later, and meanwhile access lapses.
- ``limit_cycles``: once the subscription has made ``limit_cycles_num`` payments it is cancelled
  (subscription-stopped); with ``limit_cycles_action`` ``lifetime`` its last payment never expires.
- A payment whose period ends with no later live payment of its subscription expires:
  transaction-expired and its recurring / non-recurring variant, then subscription-expired when
  it was the subscription's last; the member's ``active_memberships`` lose it (they are derived).
- Reminders fire at their offsets: the site's stored reminders (``mp_reminder``) when it has
  any, otherwise the defaults in ``DEFAULT_REMINDERS``.

docs/time.md gives each rule and its source.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from mock_server import clock
from mock_server.lifecycle import Occurrence
from mock_server.memberpress import domain, events
from mock_server.memberpress.domain import KIND, SEQUENCE
from mock_server.webhooks import outbox

PLUGIN = 0
FAILURES = "mp_payment_failures"       # meta: {subscription id: failed attempts still to come}
# (timing, trigger event, length, interval): what a site without stored reminders sends.
DEFAULT_REMINDERS = [
    ("before", "sub-renews", 3, "days"), ("before", "sub-expires", 7, "days"), ("after", "sub-expires", 1, "days"),
    ("after", "member-signup", 1, "days"), ("after", "signup-abandoned", 1, "days"),
    ("before", "cc-expires", 30, "days"), ("after", "cc-expires", 1, "days"), ("before", "sub-trial-ends", 3, "days"),
]
# Tie-breaks at one moment: bill, then end periods, then remind.
RENEW, EXPIRE, REMIND = 0, 1, 2


def _at(text) -> datetime | None:
    moment = domain.parse_mysql(text)
    return moment.replace(tzinfo=clock.UTC) if moment else None


def _mysql(moment: datetime) -> str:
    return domain.mysql(moment.astimezone(clock.UTC).replace(tzinfo=None))


def period_after(moment: datetime, period, period_type: str) -> datetime | None:
    count = max(domain.intval(period), 1)
    if period_type == "weeks":
        return moment + timedelta(weeks=count)
    if period_type == "months":
        return clock.add_months(moment, count)
    if period_type == "years":
        return clock.add_months(moment, 12 * count)
    return None   # lifetime


# -- reading the site --------------------------------------------------------------------------

class Rows:
    """Transactions by subscription: all of the site's, or (``sub_id``) one subscription's."""

    def __init__(self, site, sub_id: str | None = None):
        self.txns = site.store.all(KIND["transactions"]) if sub_id is None else \
            site.store.where(KIND["transactions"], "subscription", str(sub_id))
        self.by_sub: dict[str, list[dict]] = {}
        for txn in self.txns:
            sub = str(txn.get("subscription") or "0")
            if sub != "0":
                self.by_sub.setdefault(sub, []).append(txn)

    def payments(self, sub_id) -> list[dict]:
        return sorted((t for t in self.by_sub.get(str(sub_id), []) if t.get("txn_type") == "payment"),
                      key=lambda t: int(t["id"]))

    def period_end(self, sub_id) -> datetime | None:
        """When the subscription's current period ends: its latest live payment's expiry."""
        ends = [_at(t["expires_at"]) for t in self.by_sub.get(str(sub_id), [])
                if t.get("status") in domain.ACTIVE_TXN]
        ends = [e for e in ends if e]
        return max(ends) if ends else None

    def next_attempt(self, sub: dict) -> datetime | None:
        """The next billing: the end of the current period, or a period after a failed attempt."""
        end = self.period_end(sub["id"])
        failed = [_at(t["created_at"]) for t in self.payments(sub["id"]) if t.get("status") == "failed"]
        retry = period_after(max(failed), sub["period"], sub["period_type"]) if failed else None
        candidates = [m for m in (end, retry) if m]
        return max(candidates) if candidates else None


def _renews(sub: dict) -> bool:
    return sub.get("status") == "active" and sub.get("period_type") in ("weeks", "months", "years")


# -- what is due -------------------------------------------------------------------------------

def occurrences(site, start: datetime, end: datetime) -> list[Occurrence]:
    rows = Rows(site)
    out = []
    for sub in site.store.all(KIND["subscriptions"]):
        if _renews(sub):
            when = rows.next_attempt(sub)
            while when is not None and when <= start:   # overdue: the gateway bills on its next date
                when = period_after(when, sub["period"], sub["period_type"])
            if when and when <= end:
                out.append(_renewal(sub["id"], when))
    for txn in rows.txns:
        expires = _at(txn.get("expires_at"))
        if txn.get("status") in domain.ACTIVE_TXN and expires and start < expires <= end:
            out.append(_expiry(txn["id"], expires))
    out += reminders(site, rows, start, end)
    return out


def _renewal(sub_id, when: datetime) -> Occurrence:
    return Occurrence(when, (PLUGIN, RENEW, int(sub_id)), "memberpress renewal",
                      lambda site, db: renew(site, db, str(sub_id), when))


def _expiry(txn_id, when: datetime) -> Occurrence:
    return Occurrence(when, (PLUGIN, EXPIRE, int(txn_id)), "memberpress expiry",
                      lambda site, db: expire(site, db, str(txn_id), when))


# -- renewals ----------------------------------------------------------------------------------

def renew(site, db, sub_id: str, when: datetime) -> list[Occurrence]:
    store = site.store
    sub = store.get(KIND["subscriptions"], int(sub_id))
    if sub is None or not _renews(sub):
        return []
    rows = Rows(site, sub_id)
    covered = rows.period_end(sub_id)
    if (covered and covered > when) or any(_at(t["created_at"]) == when for t in rows.payments(sub_id)):
        return []   # a payment still covers this moment, or this attempt was made already
    paid = [t for t in rows.payments(sub_id) if t.get("status") in ("complete", "refunded")]
    if domain.truthy(sub.get("limit_cycles")) and len(paid) >= domain.intval(sub.get("limit_cycles_num")):
        _stop(site, db, sub)
        return []
    failures = store.get_meta(FAILURES, {})
    failing = failures.get(sub_id, 0) > 0
    price = Decimal(sub.get("price") or "0")
    tax = (price * Decimal(sub.get("tax_rate") or "0") / 100).quantize(Decimal("0.01"))
    txn_id = store.next_id(db, SEQUENCE["transactions"])
    expires = period_after(when, sub["period"], sub["period_type"])
    txn = {**domain._copy(domain.TRANSACTION_DEFAULTS), "id": str(txn_id), "member": sub["member"],
           "membership": sub["membership"], "subscription": sub_id, "coupon": sub.get("coupon", "0"),
           "gateway": sub.get("gateway", domain.DEFAULT_GATEWAY), "amount": domain.money(price),
           "tax_amount": domain.money(tax), "tax_rate": sub.get("tax_rate", "0.000"),
           "tax_desc": sub.get("tax_desc", ""), "tax_class": sub.get("tax_class", "standard"),
           "total": domain.money(price + tax), "trans_num": f"mp-txn-{domain.token('transaction', txn_id)}",
           "status": "failed" if failing else "complete", "created_at": _mysql(when),
           "expires_at": _mysql(when) if failing else _mysql(expires)}
    store.put(db, KIND["transactions"], txn)
    events.transaction_changed(site, db, None, txn)
    if failing:
        failures[sub_id] -= 1
        store.set_meta(db, FAILURES, {k: v for k, v in failures.items() if v > 0})
        return [_renewal(sub_id, expires)]
    follow = [_expiry(txn_id, expires)]
    if domain.truthy(sub.get("limit_cycles")) and len(paid) + 1 >= domain.intval(sub.get("limit_cycles_num")):
        _stop(site, db, sub, last=txn)
    else:
        follow.append(_renewal(sub_id, expires))
    follow += _renews_reminders(site, txn, expires)
    return follow


def _stop(site, db, sub: dict, last: dict | None = None) -> None:
    """The cycles are used up: the gateway subscription is cancelled; 'lifetime' keeps access."""
    before = dict(sub)
    site.store.put(db, KIND["subscriptions"], domain.cancel(sub))
    events.subscription_changed(site, db, before, sub)
    if last is not None and sub.get("limit_cycles_action") == "lifetime":
        last["expires_at"] = domain.NEVER
        site.store.put(db, KIND["transactions"], last)


# -- expiries ----------------------------------------------------------------------------------

def expire(site, db, txn_id: str, when: datetime) -> list[Occurrence]:
    """The payment's period ended: unless a later payment of its subscription is live, access lapses."""
    txn = site.store.get(KIND["transactions"], int(txn_id))
    if txn is None or txn.get("status") not in domain.ACTIVE_TXN or _at(txn.get("expires_at")) != when:
        return []
    sub_id = str(txn.get("subscription") or "0")
    if sub_id != "0":
        now = when.replace(tzinfo=None)
        if any(int(t["id"]) != int(txn_id) and domain.is_active(t, now) for t in Rows(site, sub_id).by_sub.get(sub_id, [])):
            return []   # renewed: the subscription goes on
    names = ["transaction-expired",
             "recurring-transaction-expired" if sub_id != "0" else "non-recurring-transaction-expired"]
    payload = events.once(lambda: events.transaction_data(site, txn_id))
    for name in names:
        events.send(site, db, name, ("transactions", txn_id), payload)
    if sub_id != "0":
        events.subscription_lapsed(site, db, sub_id)
    return []


# -- reminders ---------------------------------------------------------------------------------

def reminder_rules(site) -> list[tuple]:
    """(timing, trigger event, length, interval, membership ids or None, reminder id) of the site's
    reminders: its stored ones when it has any, else the defaults (id "")."""
    stored = site.store.all(KIND["reminders"])
    if not stored:
        return [(*rule, None, "") for rule in DEFAULT_REMINDERS]
    rules = []
    for r in stored:
        if r.get("status", "publish") != "publish":
            continue   # a disabled reminder is a draft and never fires
        only = {str(p) for p in r.get("products") or []} if domain.truthy(r.get("filter_products")) else None
        rules.append((r.get("trigger_timing", "before"), r.get("trigger_event", "sub-expires"),
                      domain.intval(r.get("trigger_length", 1)), r.get("trigger_interval", "days"), only, r["id"]))
    return rules


def event_name(timing: str, trigger: str) -> str | None:
    return domain.reminder_event({"trigger_timing": timing, "trigger_event": trigger})


def offset(moment: datetime, timing: str, length: int, interval: str) -> datetime:
    sign = -1 if timing == "before" else 1
    if interval in ("months", "years"):
        return clock.add_months(moment, sign * length * (12 if interval == "years" else 1))
    unit = {"hours": timedelta(hours=1), "days": timedelta(days=1), "weeks": timedelta(weeks=1)}.get(interval)
    return moment + sign * length * (unit or timedelta(days=1))


def _remind(event: str, when: datetime, kind_rank: int, obj_id, data, about, reminder="") -> Occurrence:
    def run(site, db):
        events.send(site, db, event, about, data, args=reminder)
        return []
    return Occurrence(when, (PLUGIN, REMIND, kind_rank, int(obj_id), event), f"memberpress {event}",
                      lambda site, db: run(site, db))


def _data(site, event: str, txn: dict | None = None, sub: dict | None = None):
    """The payload builder and the event log's subject for a reminder about ``txn`` or ``sub``."""
    kind = outbox.event_type(event)
    if kind == "transaction" and txn is not None:
        return (lambda: events.transaction_data(site, txn["id"])), ("transactions", txn["id"])
    if kind == "subscription" and sub is not None:
        return (lambda: events.subscription_data(site, sub["id"])), ("subscriptions", sub["id"])
    member = (txn or sub or {}).get("member")
    return (lambda: events.member_data(site, member)), ("users", member)


def reminders(site, rows: Rows, start: datetime, end: datetime) -> list[Occurrence]:
    known = set(outbox.events()) - {None}
    subs = {s["id"]: s for s in site.store.all(KIND["subscriptions"])}
    out = []
    first_paid: dict[str, dict] = {}
    for txn in sorted(rows.txns, key=lambda t: int(t["id"])):
        if txn.get("status") == "complete":
            first_paid.setdefault(str(txn.get("member")), txn)
    for timing, trigger, length, interval, only, reminder in reminder_rules(site):
        event = event_name(timing, trigger)
        if event not in known:
            continue

        def add(moment, obj, txn=None, sub=None, rank=0):
            if moment is None or (only is not None and str(obj.get("membership")) not in only):
                return
            when = offset(moment, timing, length, interval)
            if start < when <= end:
                out.append(_remind(event, when, rank, obj["id"], *_data(site, event, txn, sub), reminder))

        if trigger == "sub-renews":
            for sub in subs.values():
                if _renews(sub):
                    current = _live_payment(rows, sub["id"])
                    if current:
                        add(rows.next_attempt(sub), sub, txn=current, sub=sub)
        elif trigger == "sub-expires":
            for txn in rows.txns:
                sub = subs.get(str(txn.get("subscription") or "0"))
                if txn.get("status") == "complete" and not (sub and _renews(sub)):
                    add(_at(txn.get("expires_at")), txn, txn=txn, sub=sub)
        elif trigger == "member-signup":
            for txn in first_paid.values():
                add(_at(txn.get("created_at")), txn, txn=txn)
        elif trigger == "signup-abandoned":
            for txn in rows.txns:
                if txn.get("status") == "pending":
                    add(_at(txn.get("created_at")), txn, txn=txn)
        elif trigger == "cc-expires":
            for sub in subs.values():
                card_end = _card_end(sub)
                if sub.get("status") == "active" and card_end:
                    add(card_end, sub, sub=sub, rank=1)
        elif trigger == "sub-trial-ends":
            for sub in subs.values():
                if _renews(sub) and domain.truthy(sub.get("trial")):
                    payments = rows.payments(sub["id"])
                    if len(payments) == 1:
                        add(_at(payments[0].get("expires_at")), sub, txn=payments[0], sub=sub, rank=1)
    return out


def _renews_reminders(site, txn: dict, period_end: datetime) -> list[Occurrence]:
    """After a renewal, the reminder before the next one."""
    out = []
    for timing, trigger, length, interval, only, reminder in reminder_rules(site):
        event = event_name(timing, trigger)
        if trigger == "sub-renews" and event in outbox.events() and (only is None or str(txn["membership"]) in only):
            sub = site.store.get(KIND["subscriptions"], int(txn["subscription"]))
            out.append(_remind(event, offset(period_end, timing, length, interval), 0, txn["subscription"],
                               *_data(site, event, txn, sub), reminder))
    return out


def _live_payment(rows: Rows, sub_id) -> dict | None:
    live = [t for t in rows.payments(sub_id) if t.get("status") in domain.ACTIVE_TXN]
    return live[-1] if live else None


def _card_end(sub: dict) -> datetime | None:
    """A card is good through the last second of its expiry month."""
    try:
        month, year = int(sub.get("cc_exp_month") or 0), int(sub.get("cc_exp_year") or 0)
    except (TypeError, ValueError):
        return None
    if not (1 <= month <= 12 and 1971 <= year <= 9998):
        return None
    first = datetime(year, month, 1, tzinfo=clock.UTC)
    return clock.add_months(first, 1) - timedelta(seconds=1)
