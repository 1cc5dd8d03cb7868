"""PMPro over time: recurring levels are billed each cycle, levels with an end date expire.

- A member's active level with a billing amount and a cycle gets a new ``success`` order every
  ``cycle_number`` ``cycle_period`` after its last one (the trial amount for the first
  ``trial_limit`` recurring payments, none after ``billing_limit`` of them), with the gateway,
  billing address and subscription id of the order before it, as the gateway's recurring
  payment would record it. PMPro sends no webhooks of its own.
- An active level whose ``enddate`` has passed expires, as PMPro's daily expiration job does:
  the row's status becomes ``expired``, so the member no longer holds the level and
  ``has_membership_access`` and ``get_membership_level_for_user`` change with it.

docs/time.md gives each rule and its source.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from mock_server import clock
from mock_server.lifecycle import Occurrence
from mock_server.pmpro import domain
from mock_server.pmpro.php import intval, price

PLUGIN = 1
BILL, EXPIRE = 0, 1


def _at(text) -> datetime | None:
    if not text or str(text).startswith("0000"):
        return None
    return datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=clock.UTC)


def cycle_after(moment: datetime, number, period: str) -> datetime | None:
    count = intval(number)
    if count <= 0:
        return None
    if period == "Day":
        return moment + timedelta(days=count)
    if period == "Week":
        return moment + timedelta(weeks=count)
    if period == "Month":
        return clock.add_months(moment, count)
    if period == "Year":
        return clock.add_months(moment, 12 * count)
    return None


def _recurring(row: dict) -> bool:
    return row["status"] == "active" and float(row["billing_amount"] or 0) > 0 and intval(row["cycle_number"]) > 0


def _orders(site, row: dict) -> list[dict]:
    return sorted((o for o in site.store.all(domain.ORDER)
                   if int(o["user_id"]) == int(row["user_id"]) and int(o["membership_id"]) == int(row["membership_id"])
                   and o["status"] == "success" and o["timestamp"] >= row["startdate"]),
                  key=lambda o: (o["timestamp"], o["id"]))


def next_billing(site, row: dict, after: datetime) -> datetime | None:
    """The first billing date after ``after``: whole cycles on from the last payment (or the start)."""
    orders = _orders(site, row)
    anchor = _at(orders[-1]["timestamp"]) if orders else _at(row["startdate"])
    when = cycle_after(anchor, row["cycle_number"], row["cycle_period"])
    while when is not None and when <= after:
        when = cycle_after(when, row["cycle_number"], row["cycle_period"])
    return when


def occurrences(site, start: datetime, end: datetime) -> list[Occurrence]:
    out = []
    for row in site.store.all(domain.MEMBERSHIP):
        if row["status"] != "active":
            continue
        if _recurring(row):
            when = next_billing(site, row, start)
            if when and when <= end:
                out.append(_bill(row["id"], when))
        ends = _at(row.get("enddate"))
        if ends and ends <= end:
            out.append(_expire(row["id"], max(ends, start + timedelta(seconds=1))))
    return out


def _bill(row_id, when: datetime) -> Occurrence:
    return Occurrence(when, (PLUGIN, BILL, int(row_id)), "pmpro recurring order",
                      lambda site, db: bill(site, db, int(row_id), when))


def _expire(row_id, when: datetime) -> Occurrence:
    return Occurrence(when, (PLUGIN, EXPIRE, int(row_id)), "pmpro expiry",
                      lambda site, db: expire(site, db, int(row_id)))


def bill(site, db, row_id: int, when: datetime) -> list[Occurrence]:
    row = site.store.get(domain.MEMBERSHIP, row_id)
    if row is None or not _recurring(row):
        return []
    orders = _orders(site, row)
    recurring_paid = max(len(orders) - 1, 0)
    if intval(row["billing_limit"]) and recurring_paid >= intval(row["billing_limit"]):
        return []
    trial = recurring_paid < intval(row["trial_limit"])
    amount = price(row["trial_amount"] if trial else row["billing_amount"])
    last = orders[-1] if orders else {}
    order_id = site.store.next_id(db, domain.SEQ_ORDERS)
    digest = hashlib.blake2b(f"{row_id}:{order_id}".encode(), digest_size=10).hexdigest().upper()
    site.store.put(db, domain.ORDER, {
        "id": order_id, "code": digest[:10], "user_id": int(row["user_id"]),
        "membership_id": int(row["membership_id"]), "billing": dict(last.get("billing") or {}),
        "subtotal": amount, "tax": price(0), "total": amount, "payment_type": last.get("payment_type", ""),
        "cardtype": last.get("cardtype", ""), "accountnumber": last.get("accountnumber", ""),
        "expirationmonth": last.get("expirationmonth", ""), "expirationyear": last.get("expirationyear", ""),
        "status": "success", "gateway": last.get("gateway", ""),
        "gateway_environment": last.get("gateway_environment", "sandbox"),
        "payment_transaction_id": f"mock_{digest[10:].lower()}",
        "subscription_transaction_id": last.get("subscription_transaction_id", ""),
        "timestamp": domain.mysql(when), "affiliate_id": "", "affiliate_subid": "", "notes": "", "checkout_id": 0,
    })
    following = cycle_after(when, row["cycle_number"], row["cycle_period"])
    return [_bill(row_id, following)] if following else []


def expire(site, db, row_id: int) -> list[Occurrence]:
    row = site.store.get(domain.MEMBERSHIP, row_id)
    if row is None or row["status"] != "active":
        return []
    stamp = domain.mysql(domain.now())
    row.update(status="expired", enddate=stamp, modified=stamp)
    site.store.put(db, domain.MEMBERSHIP, row)
    return []
