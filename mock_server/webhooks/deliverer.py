"""Posts queued webhooks, one receiver URL at a time in order, many URLs at once.

A delivery succeeds on any 2xx. A connection error, a timeout or another status is recorded as an
attempt and retried after an exponentially growing pause; after the last attempt the delivery
is marked failed, and the URL's later deliveries wait behind a failing one, in order. Every
attempt is recorded (time, status, latency, error). Nothing is removed from the outbox before its
POST has been answered with a 2xx, so a crash at any point means the delivery is sent again after
a restart (at least once), never lost. On start, pending deliveries are due at once: whatever
waited for a backoff while the mock was down goes out now.

Outcomes are written by one recorder thread, in batches, while the senders go on: in a burst the
REST workers hold SQLite's write lock often, and a sender waiting for it between POSTs is what
made deliveries queue. A sender remembers how far it has sent (``Lane.sent``) so it never takes
a row twice while its outcome waits to be written; a failure is written before the lane lets go,
so its retry time is known.
"""
from __future__ import annotations

import os
import queue
import random
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from mock_server import faults
from mock_server.config import Config
from mock_server.faults import Faults
from mock_server.store import Store
from mock_server.webhooks import outbox
from mock_server.webhooks.post import Poster

USER_AGENT = "MemberPress/1.11.29 (membermock)"
BATCH = 50  # rows of one URL read at a time


class Lane:
    """One receiver URL: whether a sender holds it, and the last row id it has sent."""

    __slots__ = ("busy", "sent")

    def __init__(self):
        self.busy = False
        self.sent = 0


class Deliverer:
    def __init__(self, store: Store, config: Config, parallel: int = 8, pool: ThreadPoolExecutor | None = None):
        self.store = store
        self.config = config
        self.faults = Faults(store)
        self.pool = pool or ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook")
        self._seen, self._next_due = None, 0.0
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"   # lane leases
        self._renewed = 0.0
        self.lanes: dict[str, Lane] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.local = threading.local()
        self.outcomes: queue.Queue = queue.Queue()
        self.unwritten = 0                     # outcomes queued, not yet committed
        self.recorder = threading.Thread(target=self._record_loop, name="webhook-recorder", daemon=True)
        self.recorder.start()

    # -- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event, poll: float = 0.002) -> None:
        self.start()
        while not stop.is_set():
            self.tick()
            stop.wait(poll)
        self.pool.shutdown(wait=True)
        self.close()

    def start(self) -> None:
        """On start, what waited for a backoff while the mock was down is due at once."""
        self.store.db.execute("UPDATE webhook_deliveries SET next_at = ? WHERE status = 'pending'", (time.time(),))
        self._seen, self._next_due = None, 0.0

    def tick(self) -> None:
        """Look for due deliveries when the store changed, a retry fell due or a sender finished."""
        if time.monotonic() - self._renewed > outbox.LEASE / 4:
            self._renewed = time.monotonic()
            outbox.renew(self.store, self.owner)
        version = self.store.version()
        if version != self._seen or time.time() >= self._next_due or self.wake.is_set():
            self.wake.clear()
            self._seen = version
            self._next_due = self.dispatch_due()

    def close(self) -> None:
        """Write what is left, hand the lanes back, and let the recorder go (a deleted site's
        deliverer, or the end)."""
        self.flush()
        try:
            outbox.release(self.store, self.owner)
        except Exception:   # a deleted site's schema is gone with its lanes
            pass
        self.outcomes.put(None)

    def dispatch_due(self) -> float:
        """Start a sender for every idle URL whose head delivery is due; return when to look again."""
        now = time.time()
        soonest = now + 1.0
        for url, next_at in outbox.heads(self.store, self.owner):
            if next_at > now:
                soonest = min(soonest, next_at)
                continue
            with self.lock:
                lane = self.lanes.setdefault(url, Lane())
                if lane.busy:
                    continue
                lane.busy = True
                if not self.unwritten:
                    lane.sent = 0   # every outcome is written: a row queued again (resend) is taken too
            self.pool.submit(self._send_lane, url, lane)
        return soonest

    def drain(self, timeout: float = 10.0) -> None:
        """Deliver everything due now and wait for it (for tests and one-shot use)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.dispatch_due()
            with self.lock:
                idle = not any(lane.busy for lane in self.lanes.values())
            if idle:
                self.flush()
                if not self._due_now():
                    return
            time.sleep(0.005)

    def _due_now(self) -> bool:
        return self.store.db.execute(
            "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_at <= ? LIMIT 1", (time.time(),)
        ).fetchone() is not None

    # -- one URL -------------------------------------------------------------------------

    def _send_lane(self, url: str, lane: Lane) -> None:
        """Send the URL's due deliveries in order, until none is left or one fails."""
        failed = False
        try:
            while not failed:
                rows = outbox.claim(self.store, url, lane.sent, BATCH, self.owner)
                sent = 0
                for row in rows:
                    if row[7] > time.time():
                        break
                    if not outbox.begin_attempt(self.store, row[0], row[6]):
                        failed = True   # no longer ours: look at the lane afresh
                        break
                    outcome = self._attempt(*row[:7])
                    lane.sent, sent = row[0], sent + 1
                    failed = outcome[-1] is not None
                    self._queue(outcome)
                    if failed:  # the rest wait behind it, in order
                        break
                if sent < len(rows) or not rows:
                    break  # nothing more, or a later row not due yet
            if failed:
                self.flush()  # its retry time must be stored before anyone looks at the URL again
                lane.sent = 0
        finally:
            with self.lock:
                lane.busy = False
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
        poster = getattr(self.local, "poster", None)
        if poster is None:
            poster = self.local.poster = Poster()
        started = time.monotonic()
        status, error = poster.post(url, body.encode("utf-8"), headers, self.config.webhook_timeout)
        if status is not None and not 200 <= status < 300:
            error = f"HTTP {status}"
        return row_id, attempt, time.time(), status, round((time.monotonic() - started) * 1000, 3), error

    # -- writing outcomes ----------------------------------------------------------------

    def _queue(self, outcome: tuple) -> None:
        with self.lock:
            self.unwritten += 1
        self.outcomes.put(outcome)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every outcome queued so far is committed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.unwritten:
                    return
            time.sleep(0.001)

    def _record_loop(self) -> None:
        while True:
            batch = [self.outcomes.get()]
            while True:
                try:
                    batch.append(self.outcomes.get_nowait())
                except queue.Empty:
                    break
            done = None in batch
            batch = [b for b in batch if b is not None]
            if batch:
                self._record(batch)
            if done:
                return
            with self.lock:
                self.unwritten -= len(batch)

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


def run_forever(config: Config, ready=None) -> None:
    """Entry point of the delivery process that `membermock serve` starts beside its workers;
    ``ready`` (an Event) is set once it watches the outbox, so the first event is not late."""
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
    run_sites(config, stop, ready)


def run_sites(config: Config, stop: threading.Event, ready=None, poll: float = 0.002) -> None:
    """Deliver for the default site and every isolated site, as they come and go, with one pool."""
    from mock_server.site import Site
    from mock_server.sites import Sites

    sites = Sites(config, Site)
    if sites.pg:
        poll = max(poll, 0.01)   # each look is a query to the shared database, per site
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="webhook")
    running: dict = {None: Deliverer(sites.default.store, sites.default.config, pool=pool)}
    running[None].start()
    if ready is not None:
        ready.set()
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
                running.pop(name).close()
        for deliverer in list(running.values()):
            try:
                deliverer.tick()
            except Exception:  # a site deleted under our feet: its file is gone; drop it next round
                checked = 0.0
        stop.wait(poll)
    pool.shutdown(wait=True)
    for deliverer in running.values():
        deliverer.close()
