"""The durable outbox: one row per (event, subscription), written with the state change.

Because ``emit`` runs inside the caller's store transaction, an event exists exactly when the
change that caused it was committed: a crash before the commit loses both, a crash after keeps
both, and the deliverer finds the row on its next start.

Rows are delivered in order per receiver URL, across subscriptions: MemberPress sends a hook
inline, so one URL subscribed once per event still gets the events in the order they happened.
Row ids give that order (SQLite serialises writers, so ids grow in commit order). Which rows a
deliverer takes next is decided in ``heads`` and ``claim`` only, so a store that needs leases to
share the work between deliverers changes these two functions, not the deliverer.
"""
from __future__ import annotations

import json
import time
import uuid
from functools import cache

from membermock import contracts

HOOKS = "mp_webhook"     # subscriptions, stored by the REST routes and by `serve --webhook`
ALL = "all"

DDL = """
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    event_id TEXT NOT NULL,
    subscription_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    next_at REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT
);
DROP INDEX IF EXISTS webhook_due;
CREATE INDEX IF NOT EXISTS webhook_lane ON webhook_deliveries (status, url, id);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery INTEGER NOT NULL REFERENCES webhook_deliveries (id),
    attempt INTEGER NOT NULL,
    at REAL NOT NULL,
    status INTEGER,
    latency_ms REAL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS webhook_attempts_of ON webhook_attempts (delivery);
"""


def install(store) -> None:
    store.db.executescript(DDL)


@cache
def events() -> tuple[str, ...]:
    """The 38 event names, as the envelope contract enumerates them."""
    return tuple(contracts.schema("memberpress.event")["properties"]["event"]["enum"])


@cache
def event_type(event: str) -> str:
    """``member``, ``subscription`` or ``transaction``: the ``type`` const of the event's contract."""
    return contracts.schema(f"memberpress.events.{event}")["properties"]["type"]["const"]


def hook_events(hook: dict) -> set[str]:
    wanted = hook.get("events") or [hook.get("event")]
    return set(wanted)


def subscribers(store, event: str) -> list[dict]:
    return [h for h in store.all(HOOKS) if h.get("url") and ({event, ALL} & hook_events(h))]


def emit(site, db, event: str, data: dict) -> int:
    """Queue ``event`` with ``data`` for every subscription to it; call inside the change's transaction.

    Returns how many deliveries were queued (0 when nobody listens).
    """
    if event not in events():
        raise ValueError(f"unknown MemberPress event {event!r}")
    hooks = subscribers(site.store, event)
    if not hooks:
        return 0
    body = json.dumps({"event": event, "type": event_type(event), "data": data},
                      ensure_ascii=False, separators=(",", ":"))
    event_id, now = uuid.uuid4().hex, time.time()
    db.executemany(
        "INSERT INTO webhook_deliveries (delivery_id, event_id, subscription_id, url, event, body, created_at, next_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(uuid.uuid4().hex, event_id, int(h["id"]), h["url"], event, body, now, now) for h in hooks],
    )
    return len(hooks)


def requeue(store, delivery_id: int) -> bool:
    """Queue a delivery again, due now: the same delivery id and body, its attempt count going on.
    A delivered or failed one is sent once more (and retried as usual while attempts remain); a
    pending one waiting out a backoff goes now. False when there is no such delivery."""
    with store.transaction() as db:
        return db.execute("UPDATE webhook_deliveries SET status = 'pending', next_at = ? WHERE id = ?",
                          (time.time(), delivery_id)).rowcount > 0


def due_in(next_at: float) -> float:
    """Seconds until a delivery's next attempt (deliveries are scheduled in machine time)."""
    return next_at - time.time()


# -- what the deliverer takes next ----------------------------------------------------------

COLUMNS = "id, delivery_id, event_id, url, event, body, attempts, next_at"


def heads(db) -> list[tuple[str, float]]:
    """(url, next_at of its oldest pending row) for every URL with something pending."""
    return db.execute(
        "SELECT h.url, d.next_at FROM (SELECT url, MIN(id) AS id FROM webhook_deliveries"
        " WHERE status = 'pending' GROUP BY url) h JOIN webhook_deliveries d ON d.id = h.id").fetchall()


def claim(db, url: str, after: int, limit: int) -> list[tuple]:
    """The next pending rows of ``url`` in order, past the ones already handed out (``after``)."""
    return db.execute(
        f"SELECT {COLUMNS} FROM webhook_deliveries WHERE status = 'pending' AND url = ? AND id > ?"
        " ORDER BY id LIMIT ?", (url, after, limit)).fetchall()
