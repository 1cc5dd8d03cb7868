"""The deliverer against real HTTP receivers: headers, retries with backoff, order, failure, records."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mock_server.config import Config
from mock_server.site import Site
from mock_server.webhooks import outbox
from mock_server.webhooks.deliverer import Deliverer, retry_pause
from tests.samples.corpus import SAMPLES_DIR
from tests.webhooks.listener import Listener

FAST = dict(webhook_retry_base=0.05, webhook_retry_cap=0.2, webhook_max_attempts=4, webhook_timeout=2)


def sample(event):
    return json.loads((SAMPLES_DIR / "004" / f"{event}.json").read_text())["data"]


@pytest.fixture
def site(tmp_path, site_db):
    return Site(Config(db=site_db, **FAST))


def subscribe(site, url, event="all", hook_id=1):
    with site.store.transaction() as db:
        site.store.put(db, outbox.HOOKS, {"id": hook_id, "url": url, "event": event})


def emit(site, *events):
    with site.store.transaction() as db:
        return [outbox.emit(site, db, event, sample(event)) for event in events]


def rows(site):
    return site.store.db.execute(
        "SELECT event, status, attempts, last_error FROM webhook_deliveries ORDER BY id").fetchall()


def test_delivery_carries_envelope_and_headers(site, tmp_path):
    with Listener(tmp_path / "got.jsonl") as listener:
        subscribe(site, listener.url)
        emit(site, "member-added", "transaction-completed")
        Deliverer(site.store, site.config).drain()
        got = listener.wait_for(2)
    assert [g["event"] for g in got] == ["member-added", "transaction-completed"]
    assert all(g["valid"] for g in got), [g["problems"] for g in got]
    headers = got[0]["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["memberpress-webhook-key"] == site.config.mp_webhook_key
    assert headers["user-agent"].startswith("MemberPress/")
    assert len(headers["x-membermock-delivery-id"]) == 32 and headers["x-membermock-attempt"] == "1"
    assert got[0]["body"]["type"] == "member" and got[1]["body"]["type"] == "transaction"
    assert rows(site) == [("member-added", "delivered", 1, None), ("transaction-completed", "delivered", 1, None)]


def test_only_subscribed_events_are_queued(site):
    subscribe(site, "http://127.0.0.1:9/a", event="transaction-refunded")
    assert emit(site, "member-added", "transaction-refunded") == [0, 1]
    assert [r[0] for r in rows(site)] == ["transaction-refunded"]


class Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` POSTs, then 200; remembers what it got, in order."""

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.seen.append((body["event"], self.headers["X-Membermock-Attempt"], time.monotonic()))
            fail = len(self.server.seen) <= self.server.failures
        self.send_response(503 if fail else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    server.seen, server.lock, server.failures = [], threading.Lock(), 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def run_until(deliverer, condition, timeout=15):
    stop = threading.Event()
    thread = threading.Thread(target=deliverer.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()


def test_retries_with_growing_pauses_and_keeps_order(site, flaky):
    flaky.failures = 3
    subscribe(site, f"http://127.0.0.1:{flaky.server_port}/")
    emit(site, "member-added", "subscription-created", "transaction-completed")
    run_until(Deliverer(site.store, site.config), lambda: all(r[1] == "delivered" for r in rows(site)))
    assert [r[1] for r in rows(site)] == ["delivered"] * 3
    # the head of the queue is retried until it passes; nothing overtakes it
    assert [e for e, *_ in flaky.seen] == ["member-added"] * 4 + ["subscription-created", "transaction-completed"]
    log = site.store.db.execute("SELECT attempt, status, error FROM webhook_attempts WHERE delivery = 1 "
                                "ORDER BY attempt").fetchall()
    assert log == [(1, 503, "HTTP 503"), (2, 503, "HTTP 503"), (3, 503, "HTTP 503"), (4, 200, None)]


def test_pauses_grow_exponentially_up_to_the_cap():
    config = Config(webhook_retry_base=1.0, webhook_retry_cap=30.0)
    assert [retry_pause(config, n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_gives_up_after_the_last_attempt_and_says_why(site, tmp_path):
    subscribe(site, "http://127.0.0.1:9/nobody-listens")   # port 9: connection refused
    emit(site, "login")
    run_until(Deliverer(site.store, site.config), lambda: rows(site)[0][1] == "failed")
    event, status, attempts, error = rows(site)[0]
    assert (status, attempts) == ("failed", site.config.webhook_max_attempts)
    assert "ConnectionError" in error


def test_a_slow_receiver_holds_only_its_own_queue(site, tmp_path):
    with Listener(tmp_path / "slow.jsonl", delay=1.5) as slow, Listener(tmp_path / "quick.jsonl") as quick:
        subscribe(site, slow.url, hook_id=1)
        subscribe(site, quick.url, hook_id=2)
        emit(site, "member-added")
        stop = threading.Event()
        deliverer = Deliverer(site.store, site.config)
        thread = threading.Thread(target=deliverer.run, args=(stop,))
        thread.start()
        try:
            quick.wait_for(1, timeout=10)
            deadline = time.monotonic() + 5  # the outcome is written just after the receiver answered
            while True:
                statuses = dict(site.store.db.execute("SELECT subscription_id, status FROM webhook_deliveries"))
                if statuses[2] == "delivered" or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            assert statuses == {1: "pending", 2: "delivered"}, "the slow receiver must not hold the quick one"
            slow.wait_for(1, timeout=10)
        finally:
            stop.set()
            thread.join()
