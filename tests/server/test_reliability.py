"""Nothing lost under abuse, against real `membermock serve` processes.

Bounded in requests and time; no timing assertions: what is checked is what survived.
"""
from __future__ import annotations

import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.server.harness import API_KEY, Server, free_port
from tests.webhooks.listener import Listener

CLIENTS = 50
UPDATES = 2


def _client():
    session = requests.Session()
    session.headers["MEMBERPRESS-API-KEY"] = API_KEY
    return session


def _total(server) -> int:
    r = requests.get(server.url("/wp-json/mp/v1/members"), params={"per_page": 1},
                     headers={"MEMBERPRESS-API-KEY": API_KEY}, timeout=30)
    return int(r.headers["X-WP-Total"])


def test_fifty_clients_through_four_workers_lose_no_write(tmp_path):
    """Each client creates a member and updates it twice; every answer is 2xx, every id is new
    and unique, and each member ends with its client's last write."""
    with Server(tmp_path / "site.sqlite3", workers=4).start() as server:
        before = _total(server)
        statuses: list[int] = []
        lock = threading.Lock()

        def one(i: int) -> tuple[int, str]:
            http, tag = _client(), uuid.uuid4().hex[:10]
            r = http.post(server.url("/wp-json/mp/v1/members"), timeout=60,
                          json={"email": f"c{tag}@example.org", "username": f"c{tag}", "first_name": "v0"})
            codes = [r.status_code]
            member = r.json()["id"] if r.status_code == 200 else None
            for n in range(1, UPDATES + 1):
                if member is None:
                    break
                u = http.post(server.url(f"/wp-json/mp/v1/members/{member}"), json={"first_name": f"v{n}-{i}"},
                              timeout=60)
                codes.append(u.status_code)
            with lock:
                statuses.extend(codes)
            return member, f"v{UPDATES}-{i}"

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            made = list(pool.map(one, range(CLIENTS)))

        assert [s for s in statuses if s >= 500] == [], "no 5xx"
        assert set(statuses) == {200}, sorted(set(statuses))
        ids = [m for m, _ in made]
        assert None not in ids and len(set(ids)) == CLIENTS, "ids unique"
        assert min(ids) > 0 and _total(server) == before + CLIENTS, "every create stored once"
        http = _client()
        for member, last in made:
            got = http.get(server.url(f"/wp-json/mp/v1/members/{member}"), timeout=30).json()
            assert got["first_name"] == last, (member, got["first_name"], last)


@pytest.mark.exhaustive   # make test: kill -9 in test_multi_instance and tests/webhooks/test_crash_recovery
def test_kill_9_mid_load_loses_no_committed_write_and_no_queued_webhook(tmp_path):
    """Writes go on from several clients while the whole server (workers and deliverer) is killed
    with SIGKILL; after a restart, every create that was answered 200 is there, and its
    member-added delivery reaches the receiver (which was down until then)."""
    db = tmp_path / "site.sqlite3"
    port = free_port()
    receiver = Listener(tmp_path / "got.jsonl", port=port)          # down: deliveries stay queued
    hook = ["--webhook", f"{receiver.url}=member-added"]
    server = Server(db, workers=4, extra=hook).start()
    acknowledged: list[int] = []
    lock, stop = threading.Lock(), threading.Event()

    def writer():
        http = _client()
        while not stop.is_set():
            tag = uuid.uuid4().hex[:10]
            try:
                r = http.post(server.url("/wp-json/mp/v1/members"), timeout=10,
                              json={"email": f"k{tag}@example.org", "username": f"k{tag}"})
            except requests.RequestException:
                return  # the server is gone
            if r.status_code == 200:
                with lock:
                    acknowledged.append(r.json()["id"])

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.stop(signal.SIGKILL)                                      # mid-load, no goodbye
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 40, "the load ran before the kill"

    with receiver, Server(db, workers=4, extra=hook).start() as again:
        http = _client()
        for member in acknowledged:
            assert http.get(again.url(f"/wp-json/mp/v1/members/{member}"), timeout=30).status_code == 200, member
        wanted = set(acknowledged)
        deadline = time.monotonic() + 90
        while True:
            arrived = {g["body"]["data"]["id"] for g in receiver.received() if g["event"] == "member-added"}
            if wanted <= arrived or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert wanted <= arrived, f"{len(wanted - arrived)} queued member-added deliveries lost"


def test_a_body_over_the_limit_gets_413_in_the_wordpress_error_format(tmp_path):
    with Server(tmp_path / "site.sqlite3").start() as server:
        before = _total(server)
        big = b'{"email": "' + b"a" * (9 * 1024 * 1024) + b'@example.org", "username": "big"}'
        r = requests.post(server.url("/wp-json/mp/v1/members"), data=big, timeout=60,
                          headers={"MEMBERPRESS-API-KEY": API_KEY, "Content-Type": "application/json"})
        assert r.status_code == 413
        body = r.json()
        assert body["code"] == "rest_request_too_large" and body["data"] == {"status": 413}
        assert isinstance(body["message"], str) and body["message"]
        assert _total(server) == before, "nothing stored"
        assert requests.get(server.url("/__mock__/health"), timeout=10).status_code == 200
