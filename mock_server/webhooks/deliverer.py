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

from mock_server import faults
from mock_server.config import Config
from mock_server.faults import Faults
from mock_server.store import Store

USER_AGENT = "MemberPress/1.11.29 (membermock)"
BATCH = 50  # deliveries of one subscription sent before their outcomes are written


class Deliverer:
    def __init__(self, store: Store, config: Config, parallel: int = 8, pool: ThreadPoolExecutor | None = None):
        self.store = store
        self.config = config
        self.faults = Faults(store)
        self.pool = pool or ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook")
        self._seen, self._next_due = None, 0.0
        self.busy: set[int] = set()            # subscriptions with a POST in flight
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.http = threading.local()

    # -- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event, poll: float = 0.005) -> None:
        self.start()
        while not stop.is_set():
            self.tick()
            stop.wait(poll)
        self.pool.shutdown(wait=True)

    def start(self) -> None:
        """On start, what waited for a backoff while the mock was down is due at once."""
        self.store.db.execute("UPDATE webhook_deliveries SET next_at = ? WHERE status = 'pending'", (time.time(),))
        self._seen, self._next_due = None, 0.0

    def tick(self) -> None:
        """Look for due deliveries when the store changed, a retry fell due or a sender finished."""
        version = self.store.version()
        if version != self._seen or time.time() >= self._next_due or self.wake.is_set():
            self.wake.clear()
            self._seen = version
            self._next_due = self.dispatch_due()

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
        fault, n = faults.for_delivery(self.faults, event, url)
        if fault and "delay_ms" in fault:
            time.sleep(faults.delay_seconds(fault, n))
        outcome = self._post(row_id, delivery_id, event_id, url, event, body, attempts)
        if fault and "duplicate" in fault and outcome[-1] is None:
            self._post(row_id, delivery_id, event_id, url, event, body, attempts)  # at least once: again
        return outcome

    def _post(self, row_id, delivery_id, event_id, url, event, body, attempts) -> tuple:
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
    run_sites(config, stop)


def run_sites(config: Config, stop: threading.Event, poll: float = 0.005) -> None:
    """Deliver for the default site and every isolated site, as they come and go, with one pool."""
    from mock_server.sites import Sites
    from mock_server.site import Site

    sites = Sites(config, Site)
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="webhook")
    running: dict = {None: Deliverer(sites.default.store, sites.default.config, pool=pool)}
    running[None].start()
    checked = 0.0
    while not stop.is_set():
        if time.monotonic() - checked > 0.2:   # pick up new sites, drop deleted ones
            checked = time.monotonic()
            names = set(sites.names())
            for name in names - running.keys():
                site = sites.get(name)
                if site is not None:
                    running[name] = Deliverer(site.store, site.config, pool=pool)
                    running[name].start()
            for name in [n for n in running if n is not None and n not in names]:
                del running[name]
        for deliverer in list(running.values()):
            try:
                deliverer.tick()
            except Exception:  # a site deleted under our feet: its file is gone; drop it next round
                checked = 0.0
        stop.wait(poll)
    pool.shutdown(wait=True)
