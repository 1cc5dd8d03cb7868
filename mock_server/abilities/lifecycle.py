"""WooCommerce Memberships over time: user memberships expire at their end date, delayed ones start.

As the plugin's scheduled actions do: a membership that still gives access (active,
complimentary, pending) or is paused becomes ``expired`` when its ``end_date`` passes; a
``delayed`` one becomes ``active`` on its ``start_date``. Cancelled and expired ones stay.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.abilities import domain
from mock_server.lifecycle import Occurrence

PLUGIN = 2
START, EXPIRE = 0, 1
EXPIRING = ("active", "complimentary", "pending", "paused", "free_trial")


def _at(text) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def occurrences(site, start: datetime, end: datetime) -> list[Occurrence]:
    out = []
    soonest = start + timedelta(seconds=1)   # what was already overdue happens first
    for m in site.store.all(domain.MEMBERSHIP):
        begins, ends = _at(m.get("start_date")), _at(m.get("end_date"))
        if m["status"] == "delayed" and begins and begins <= end:
            out.append(_move(m["id"], max(begins, soonest), "active", START))
        if m["status"] in EXPIRING + ("delayed",) and ends and ends <= end:
            out.append(_move(m["id"], max(ends, soonest), "expired", EXPIRE))
    return out


def _move(membership_id, when: datetime, status: str, rank: int) -> Occurrence:
    def run(site, db):
        m = site.store.get(domain.MEMBERSHIP, int(membership_id))
        if m is None or (status == "active" and m["status"] != "delayed") or \
                (status == "expired" and m["status"] not in EXPIRING + ("delayed",)):
            return []
        m["status"] = status
        site.store.put(db, domain.MEMBERSHIP, m)
        return []
    return Occurrence(when, (PLUGIN, rank, int(membership_id)), f"wc-memberships {status}", run)
