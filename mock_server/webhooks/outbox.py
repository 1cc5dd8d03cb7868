"""The durable outbox: one row per (event, subscription), written with the state change.

Because ``emit`` runs inside the caller's store transaction, an event exists exactly when the
change that caused it was committed: a crash before the commit loses both, a crash after keeps
both, and the deliverer finds the row on its next start.

Rows are delivered in order per receiver URL, across subscriptions: MemberPress sends a hook
inline, so one URL subscribed once per event still gets the events in the order they happened.
Row ids give that order (SQLite serialises writers, so ids grow in commit order; PostgreSQL's
write transactions take turns on the version row, to the same effect). Which rows a deliverer
takes next is decided in ``heads`` and ``claim`` only.

A shared store (PostgreSQL, several instances) has a deliverer per instance. A receiver URL is
then a lane one deliverer holds at a time: ``claim`` takes it with ``FOR UPDATE SKIP LOCKED``
and a lease its holder renews while alive (``renew``); a killed instance's lanes are taken over
once their lease runs out. Before each POST the attempt is counted in the row (``begin_attempt``),
so an attempt whose outcome a killed instance never wrote is sent again as the next attempt:
no attempt number is sent twice, and nothing is lost.
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


LANES = """
CREATE TABLE IF NOT EXISTS webhook_lanes (
    url TEXT PRIMARY KEY,
    owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0
);
"""
LEASE = 5.0   # seconds a killed instance's lanes wait before another instance takes them over


def install(store) -> None:
    store.db.executescript(DDL + (LANES if store.shared else ""))


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


def heads(store, owner: str) -> list[tuple[str, float]]:
    """(url, next_at of its oldest pending row) for every URL with something pending (on a shared
    store: that no other living deliverer holds)."""
    found = "SELECT h.url, d.next_at FROM (SELECT url, MIN(id) AS id FROM webhook_deliveries" \
            " WHERE status = 'pending' GROUP BY url) h JOIN webhook_deliveries d ON d.id = h.id"
    if not store.shared:
        return store.db.execute(found).fetchall()
    return store.db.execute(found + " LEFT JOIN webhook_lanes l ON l.url = h.url"
                            " WHERE l.owner IS NULL OR l.owner = ? OR l.lease_until < ?", (owner, time.time())).fetchall()


def claim(store, url: str, after: int, limit: int, owner: str) -> list[tuple]:
    """The next pending rows of ``url`` in order, past the ones already handed out (``after``);
    none when another living deliverer holds the URL's lane."""
    rows = f"SELECT {COLUMNS} FROM webhook_deliveries WHERE status = 'pending' AND url = ? AND id > ?" \
           " ORDER BY id LIMIT ?"
    if not store.shared:
        return store.db.execute(rows, (url, after, limit)).fetchall()
    now = time.time()
    with store.unversioned() as db:
        db.execute("INSERT INTO webhook_lanes (url) VALUES (?) ON CONFLICT DO NOTHING", (url,))
        lane = db.execute("SELECT owner, lease_until FROM webhook_lanes WHERE url = ? FOR UPDATE SKIP LOCKED",
                          (url,)).fetchone()
        if lane is None or lane[0] not in (None, owner) and lane[1] >= now:
            return []
        db.execute("UPDATE webhook_lanes SET owner = ?, lease_until = ? WHERE url = ?", (owner, now + LEASE, url))
        return db.execute(rows, (url, after, limit)).fetchall()


def begin_attempt(store, row_id: int, attempts: int) -> bool:
    """Count the attempt before it is made (shared stores); False when it is no longer this
    deliverer's to make (another took the lane over, or a resend counted it)."""
    if not store.shared:
        return True
    return store.db.execute("UPDATE webhook_deliveries SET attempts = attempts + 1"
                            " WHERE id = ? AND attempts = ? AND status = 'pending'", (row_id, attempts)).rowcount == 1


def release(store, owner: str) -> None:
    """A deliverer stopping in good order hands its lanes back at once (its outcomes are written)."""
    if store.shared:
        store.db.execute("UPDATE webhook_lanes SET owner = NULL, lease_until = 0 WHERE owner = ?", (owner,))


def renew(store, owner: str) -> None:
    """Keep this deliverer's lanes while it lives."""
    if store.shared:
        store.db.execute("UPDATE webhook_lanes SET lease_until = ? WHERE owner = ?", (time.time() + LEASE, owner))
