"""A tiny integrator app: keeps a local table of MemberPress members in step with a site.

It reads every member once (``sync``), then keeps up through webhooks (``handle_webhook``). It
retries what a real network does to it (5xx answers, dropped connections) and applies each
webhook delivery once, however often the sender repeats it (MemberPress may send twice).
"""
from __future__ import annotations

import json
import sqlite3
import time

import requests

RETRYABLE = {429, 500, 502, 503, 504}


class MemberSync:
    def __init__(self, base_url: str, mp_headers: dict, db: str = ":memory:", attempts: int = 4):
        self.api = base_url.rstrip("/") + "/wp-json/mp/v1"
        self.headers = mp_headers
        self.attempts = attempts
        self.db = sqlite3.connect(db, check_same_thread=False)
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS members (id INTEGER PRIMARY KEY, email TEXT, memberships TEXT);
            CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY);
        """)
        self.duplicates_skipped = 0

    # -- reading the site -------------------------------------------------------------------
    def _get(self, path: str, **params) -> requests.Response:
        """GET with retries: a 5xx, a 429 or a broken connection is tried again after a pause."""
        for attempt in range(1, self.attempts + 1):
            try:
                response = requests.get(self.api + path, headers=self.headers, params=params, timeout=5)
            except requests.ConnectionError:
                if attempt == self.attempts:
                    raise
            else:
                if response.status_code not in RETRYABLE or attempt == self.attempts:
                    response.raise_for_status()
                    return response
                time.sleep(float(response.headers.get("Retry-After", 0)) / 10)
            time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def sync(self) -> int:
        """Copy every member, page by page; returns how many the site said it has."""
        page, total = 1, None
        while True:
            response = self._get("/members", page=page, per_page=20)
            total = int(response.headers["X-WP-Total"])
            for member in response.json():
                self._store(member)
            if page >= int(response.headers["X-WP-TotalPages"]):
                return total
            page += 1

    def _store(self, member: dict) -> None:
        titles = sorted(m["title"] for m in member.get("active_memberships") or [])
        with self.db:
            self.db.execute("INSERT INTO members (id, email, memberships) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                            " SET email = excluded.email, memberships = excluded.memberships",
                            (int(member["id"]), member["email"], json.dumps(titles)))

    # -- webhooks -----------------------------------------------------------------------------
    def handle_webhook(self, body: dict, delivery_id: str) -> None:
        """Apply one delivery; a repeated delivery id is acknowledged and skipped."""
        with self.db:
            if self.db.execute("SELECT 1 FROM deliveries WHERE id = ?", (delivery_id,)).fetchone():
                self.duplicates_skipped += 1
                return
            self.db.execute("INSERT INTO deliveries (id) VALUES (?)", (delivery_id,))
        data, kind = body["data"], body["type"]
        if body["event"] == "member-deleted":
            return  # the payload no longer names the user; a later full sync drops it
        member_id = data["id"] if kind == "member" else _id(data.get("member"))
        self._store(self._get(f"/members/{member_id}").json())

    # -- what the app knows ---------------------------------------------------------------------
    def members(self) -> dict[int, dict]:
        rows = self.db.execute("SELECT id, email, memberships FROM members ORDER BY id")
        return {i: {"email": e, "memberships": json.loads(m)} for i, e, m in rows}


def _id(value) -> int:
    """A payload names a member as an object or as its id."""
    return int(value["id"]) if isinstance(value, dict) else int(value)
