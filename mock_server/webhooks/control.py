"""``/__mock__/webhooks/...``: what was queued, what was sent, and how each attempt went."""
from __future__ import annotations

from flask import Blueprint, request

from mock_server import wp
from mock_server.sites import current
from mock_server.webhooks import outbox

webhooks_control = Blueprint("webhooks_control", __name__, url_prefix="/__mock__/webhooks")

STATUSES = ("pending", "delivered", "failed")
KEYS = ("id", "delivery_id", "event_id", "subscription_id", "url", "event", "status", "attempts",
        "created_at", "next_at", "delivered_at", "last_error")


def deliveries_of(store, event: str | None = None, status: str | None = None, latest: int | None = None,
                  ids: list[int] | None = None) -> list[dict]:
    """Deliveries with their attempt logs, oldest first (only the ``latest`` N when given)."""
    where, args = [], []
    for column, value in (("event", event), ("status", status)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if ids is not None:
        where.append(f"id IN ({', '.join('?' * len(ids))})")
        args += ids
    sql = f"SELECT {', '.join(KEYS)} FROM webhook_deliveries" + (" WHERE " + " AND ".join(where) if where else "")
    if latest:
        sql = f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT {int(latest)}) AS latest"
    rows = store.db.execute(sql + " ORDER BY id", args).fetchall()
    attempts: dict[int, list] = {}
    if rows:
        log, log_args = "SELECT delivery, attempt, at, status, latency_ms, error FROM webhook_attempts", []
        if ids is not None:
            log += f" WHERE delivery IN ({', '.join('?' * len(ids))})"
            log_args = ids
        elif latest:
            log += f" WHERE delivery >= {int(rows[0][0])}"
        for delivery, attempt, at, code, latency, error in store.db.execute(log + " ORDER BY id", log_args):
            attempts.setdefault(delivery, []).append(
                {"attempt": attempt, "at": at, "status": code, "latency_ms": latency, "error": error})
    return [dict(zip(KEYS, row), attempt_log=attempts.get(row[0], [])) for row in rows]


def delivery_counts(store) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(store.db.execute("SELECT status, count(*) FROM webhook_deliveries GROUP BY status").fetchall())
    return counts


@webhooks_control.get("/deliveries")
def deliveries():
    status = request.args.get("status")
    if status and status not in STATUSES:
        return wp.error("mock_invalid_status", f"status must be one of {', '.join(STATUSES)}.", 400)
    out = deliveries_of(current().store, request.args.get("event"), status)
    return wp.reply(out, headers={"X-WP-Total": str(len(out))})


@webhooks_control.post("/deliveries/<int:id>/resend")
def resend_delivery(id):  # noqa: A002 (the documented path parameter)
    store = current().store
    if not outbox.requeue(store, id):
        return wp.error("mock_no_delivery", f"No webhook delivery {id} on this site.", 404)
    return wp.reply(deliveries_of(store, ids=[id])[0], 202)
