"""What happens on a site between two moments, run in time order across the three plugins.

Each API module with a ``lifecycle`` submodule says what is due on the site as it stands
(``occurrences(site, start, end)``): a renewal, an expiry, a reminder, a delayed start. Each
occurrence runs with the clock pinned to its own moment, so what it stores and the webhooks it
queues carry that time, and it may schedule what follows from it (a renewal brings the next
renewal and its expiry). One priority queue orders them all; ties go by plugin, then kind, then
object id, so the same site and the same moves give the same objects, ids and events.

The whole span runs in one store transaction: a site is never seen half-advanced.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Callable

from mock_server import clock

UNTIL = "lifecycle_until"       # meta: the moment up to which the site's lifecycle has run
MODULES = ("mock_server.memberpress.lifecycle", "mock_server.pmpro.lifecycle", "mock_server.abilities.lifecycle")


@dataclass(order=True)
class Occurrence:
    when: datetime
    order: tuple                                   # (plugin, kind, object id): the tie-break
    label: str = field(compare=False)              # what it is, for the run's summary
    run: Callable = field(compare=False)           # (site, db) -> follow-up occurrences


def modules():
    return [import_module(name) for name in MODULES]


def ran_until(site) -> datetime | None:
    stamp = site.store.get_meta(UNTIL)
    return clock.parse_moment(stamp) if stamp else None


def run(site, db, start: datetime, end: datetime) -> dict[str, int]:
    """Run everything due in (start, end]; returns how many of each kind ran."""
    queue = [o for module in modules() for o in module.occurrences(site, start, end) if start < o.when <= end]
    heapq.heapify(queue)
    counts: dict[str, int] = {}
    while queue:
        occurrence = heapq.heappop(queue)
        with clock.at(occurrence.when):
            follow = occurrence.run(site, db) or []
        counts[occurrence.label] = counts.get(occurrence.label, 0) + 1
        for later in follow:
            if occurrence.when <= later.when <= end and later.when > start:
                heapq.heappush(queue, later)
    site.store.set_meta(db, UNTIL, clock.iso(end))
    return counts
