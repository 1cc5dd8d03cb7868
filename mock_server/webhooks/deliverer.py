"""Posts queued webhooks, one subscription at a time in order, many subscriptions at once.

A delivery succeeds on any 2xx. A connection error, a timeout or another status is recorded as an
attempt and retried after an exponentially growing pause; after the last attempt the delivery
is marked failed. Every attempt is recorded (time, status, latency, error). Nothing is removed
from the outbox before its POST has been answered with a 2xx, so a crash at any point means the
delivery is sent again after a restart (at least once), never lost. On start, pending
deliveries are due at once: whatever waited for a backoff while the mock was down goes out now.
"""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from mock_server.config import Config
from mock_server.store import Store

USER_AGENT = "MemberPress/1.11.29 (membermock)"
BATCH = 50  # deliveries of one subscription sent before their outcomes are written


class Deliverer:
    def __init__(self, store: Store, config: Config, parallel: int = 8):
        self.store = store
        self.config = config
        self.pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook")
        self.busy: set[int] = set()            # subscriptions with a POST in flight
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.http = threading.local()

    # -- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event, poll: float = 0.005) -> None:
        self.store.db.execute("UPDATE webhook_deliveries SET next_at = ? WHERE status = 'pending'", (time.time(),))
        seen = None
        next_due = 0.0
        while not stop.is_set():
            version = self.store.version()
            if version != seen or time.time() >= next_due or self.wake.is_set():
                self.wake.clear()
                seen = version
                next_due = self.dispatch_due()
            stop.wait(poll)
        self.pool.shutdown(wait=True)

    def dispatch_due(self) -> float:
        """Start a sender for every idle subscription whose head delivery is due; return when to look again."""
        now = time.time()
        heads = self.store.db.execute(
            "SELECT h.subscription_id, d.next_at FROM (SELECT subscription_id, MIN(id) AS id FROM webhook_deliveries"
            " WHERE status = 'pending' GROUP BY subscription_id) h JOIN webhook_deliveries d ON d.id = h.id"
        ).fetchall()
        soonest = now + 1.0
        for subscription, next_at in heads:
            if next_at > now:
                soonest = min(soonest, next_at)
                continue
            with self.lock:
                if subscription in self.busy:
                    continue
                self.busy.add(subscription)
            self.pool.submit(self._send_queue, subscription)
        return soonest

    def drain(self, timeout: float = 10.0) -> None:
        """Deliver everything due now and wait for it (for tests and one-shot use)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.dispatch_due()
            with self.lock:
                idle = not self.busy
            if idle and not self._due_now():
                return
            time.sleep(0.005)

    def _due_now(self) -> bool:
        return self.store.db.execute(
            "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_at <= ? LIMIT 1", (time.time(),)
        ).fetchone() is not None

    # -- one attempt ---------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self.http, "session", None)
        if session is None:
            session = self.http.session = requests.Session()
        return session

    def _send_queue(self, subscription: int) -> None:
        """Send one subscription's due deliveries in order, until its queue is empty or one fails.

        Outcomes are written in one transaction per batch, not one per POST: the REST workers hold
        the write lock often, and a deliverer waiting for it once per delivery falls behind. A
        crash before a batch is written only means its deliveries are sent again (at least once).
        """
        try:
            while True:
                rows = self.store.db.execute(
                    "SELECT id, delivery_id, event_id, url, event, body, attempts, next_at FROM webhook_deliveries"
                    " WHERE status = 'pending' AND subscription_id = ? ORDER BY id LIMIT ?", (subscription, BATCH)
                ).fetchall()
                outcomes = []
                for row in rows:
                    if row[7] > time.time():
                        break
                    outcomes.append(self._attempt(*row[:7]))
                    if outcomes[-1][-1] is not None:  # failed: the rest wait behind it, in order
                        break
                if outcomes:
                    self._record(outcomes)
                if not outcomes or outcomes[-1][-1] is not None or len(outcomes) < len(rows):
                    return  # nothing due, a failure to wait out, or a later row not due yet
        finally:
            with self.lock:
                self.busy.discard(subscription)
            self.wake.set()

    def _attempt(self, row_id, delivery_id, event_id, url, event, body, attempts) -> tuple:
        attempt = attempts + 1
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "MEMBERPRESS-WEBHOOK-KEY": self.config.mp_webhook_key,
            "X-Membermock-Event": event,
            "X-Membermock-Event-Id": event_id,
            "X-Membermock-Delivery-Id": delivery_id,
            "X-Membermock-Attempt": str(attempt),
        }
        started = time.monotonic()
        status = error = None
        try:
            response = self._session().post(url, data=body.encode("utf-8"), headers=headers,
                                            timeout=self.config.webhook_timeout, allow_redirects=True)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        return row_id, attempt, time.time(), status, round((time.monotonic() - started) * 1000, 3), error

    def _record(self, outcomes: list[tuple]) -> None:
        with self.store.transaction() as db:
            db.executemany(
                "INSERT INTO webhook_attempts (delivery, attempt, at, status, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
                outcomes,
            )
            for row_id, attempt, at, _status, _latency, error in outcomes:
                if error is None:
                    db.execute("UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, "
                               "last_error = NULL WHERE id = ?", (attempt, at, row_id))
                elif attempt >= self.config.webhook_max_attempts:
                    db.execute("UPDATE webhook_deliveries SET status = 'failed', attempts = ?, last_error = ? "
                               "WHERE id = ?", (attempt, error, row_id))
                else:
                    pause = retry_pause(self.config, attempt) * random.uniform(0.9, 1.1)  # jitter: no lockstep
                    db.execute("UPDATE webhook_deliveries SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?",
                               (attempt, at + pause, error, row_id))


def retry_pause(config: Config, failed_attempts: int) -> float:
    """Seconds before the next try: base, 2*base, 4*base... up to the cap."""
    return min(config.webhook_retry_base * 2 ** (failed_attempts - 1), config.webhook_retry_cap)


def run_forever(config: Config) -> None:
    """Entry point of the delivery process that `membermock serve` starts beside its workers."""
    import os
    import signal

    stop = threading.Event()
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def orphan_watch():
        while not stop.wait(0.5):
            if os.getppid() != parent:  # the server died without telling us: stop too
                stop.set()

    threading.Thread(target=orphan_watch, daemon=True).start()
    store = Store(config.db)
    from mock_server.webhooks import outbox
    outbox.install(store)
    Deliverer(store, config).run(stop)
