"""``/__mock__/webhooks/...``: what was queued, what was sent, and how each attempt went."""
from __future__ import annotations

from flask import Blueprint, request

from mock_server import wp
from mock_server.sites import current

webhooks_control = Blueprint("webhooks_control", __name__, url_prefix="/__mock__/webhooks")

STATUSES = ("pending", "delivered", "failed")


@webhooks_control.get("/deliveries")
def deliveries():
    store = current().store
    where, args = [], []
    if request.args.get("event"):
        where.append("event = ?")
        args.append(request.args["event"])
    if request.args.get("status"):
        if request.args["status"] not in STATUSES:
            return wp.error("mock_invalid_status", f"status must be one of {', '.join(STATUSES)}.", 400)
        where.append("status = ?")
        args.append(request.args["status"])
    sql = ("SELECT id, delivery_id, event_id, subscription_id, url, event, status, attempts, created_at, next_at,"
           " delivered_at, last_error FROM webhook_deliveries")
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = store.db.execute(sql + " ORDER BY id", args).fetchall()
    attempts: dict[int, list] = {}
    for delivery, attempt, at, status, latency, error in store.db.execute(
            "SELECT delivery, attempt, at, status, latency_ms, error FROM webhook_attempts ORDER BY id"):
        attempts.setdefault(delivery, []).append(
            {"attempt": attempt, "at": at, "status": status, "latency_ms": latency, "error": error})
    keys = ("id", "delivery_id", "event_id", "subscription_id", "url", "event", "status", "attempts",
            "created_at", "next_at", "delivered_at", "last_error")
    out = [dict(zip(keys, row), attempt_log=attempts.get(row[0], [])) for row in rows]
    return wp.reply(out, headers={"X-WP-Total": str(len(out))})
