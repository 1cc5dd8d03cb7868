"""Two `membermock serve` instances on one PostgreSQL database behind haproxy, as a team runs a
shared mock: a write through the balancer is read back through either instance, every webhook
is delivered once per attempt and in order to real receivers, and a `kill -9` of the instance
holding a receiver's lane mid-load loses nothing (its lane is taken over once the lease ends)."""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from tests.server.harness import API_KEY, Server
from tests.webhooks.listener import Listener

CLIENTS, ROUNDS, KILL_AFTER = 4, 30, 60   # writes per round: a member update and a transaction


@pytest.fixture
def balancer_for():
    from tests import balancer
    made = []

    def make(backends):
        try:
            made.append(balancer.Balancer(backends))
        except balancer.Unavailable as exc:
            if os.environ.get("CI"):
                raise
            pytest.skip(f"no load balancer here: {exc}")
        return made[-1]
    yield make
    for b in made:
        b.stop()


def _mp(base, method, path, session, **kw):
    return session.request(method, f"{base}/wp-json/mp/v1{path}", headers={"MEMBERPRESS-API-KEY": API_KEY},
                           timeout=30, **kw)


def _instance_of_pid(pid: int, instances: dict) -> str | None:
    """The instance whose process tree holds ``pid`` (a deliverer is a child of `serve`)."""
    while pid > 1:
        for name, server in instances.items():
            if server.proc.pid == pid:
                return name
        with open(f"/proc/{pid}/stat") as stat:
            pid = int(stat.read().rsplit(")", 1)[1].split()[1])
    return None


def test_two_instances_behind_haproxy_share_one_site(tmp_path, postgres_server, balancer_for, capsys):
    db = postgres_server.database()
    instances = {"a": Server(db, workers=2).start()}
    instances["b"] = Server(db, workers=2).start()   # after a: the first start seeds the database
    lb = balancer_for({n: f"127.0.0.1:{s.port}" for n, s in instances.items()})
    everything = Listener(tmp_path / "all.jsonl").start()
    payments = Listener(tmp_path / "payments.jsonl").start()
    alive = dict(instances)
    counts = Counter()
    acked: list[int] = []
    lock = threading.Lock()
    killed = threading.Event()
    try:
        http = requests.Session()
        for url, event in ((everything.url, "all"), (payments.url, "transaction-completed")):
            assert _mp(lb.base, "POST", "/webhooks/subscribe", http, data={"url": url, "event": event}).status_code == 201
        plan = _mp(lb.base, "GET", "/memberships", http, params={"per_page": 1}).json()[0]["id"]
        members = [m["id"] for m in _mp(lb.base, "GET", "/members", http, params={"per_page": CLIENTS}).json()]

        def write(session, method, path, **kw):
            """Through the balancer; a request cut by the kill is sent again (it may have committed)."""
            for _ in range(10):
                try:
                    r = _mp(lb.base, method, path, session, **kw)
                except requests.ConnectionError:
                    continue
                if r.status_code in (200, 201):
                    return r
                assert r.status_code in (502, 503, 504), (path, r.status_code, r.text)
                time.sleep(0.1)
            raise AssertionError(f"{method} {path} never succeeded")

        def get(name, server, session, path):
            """A GET from one instance directly; None when that instance was just killed."""
            try:
                r = _mp(server.base, "GET", path, session)
            except requests.ConnectionError:
                if name in alive:
                    raise
                return None
            return r if name in alive else None

        def read_elsewhere(served_by, session, path):
            """The same resource from every living instance but the one that took the write."""
            for name, server in list(alive.items()):
                if name == served_by:
                    continue
                r = get(name, server, session, path)
                if r is not None:
                    with lock:
                        counts["reads across instances"] += 1
                    yield r

        def client(member_id):
            session = requests.Session()
            for _ in range(ROUNDS):
                for name, server in list(alive.items()):   # every instance has the member's answer cached
                    get(name, server, session, f"/members/{member_id}")
                name = uuid.uuid4().hex[:10]
                r = write(session, "POST", f"/members/{member_id}", data={"first_name": name})
                for seen in read_elsewhere(r.headers["X-Served-By"], session, f"/members/{member_id}"):
                    assert seen.status_code == 200 and seen.json()["first_name"] == name
                r = write(session, "POST", "/transactions", json={
                    "member": member_id, "membership": plan, "gateway": "manual", "status": "complete",
                    "amount": "9.00", "trans_num": name})
                txn = r.json()["id"]
                for seen in read_elsewhere(r.headers["X-Served-By"], session, f"/transactions/{txn}"):
                    assert seen.status_code == 200 and seen.json()["trans_num"] == name
                with lock:
                    counts["writes"] += 2
                    acked.append(txn)
                    kill_now = len(acked) == KILL_AFTER
                if kill_now:
                    kill_lane_holder()

        def kill_lane_holder():
            """kill -9 the whole instance (server, workers, deliverer) that holds a receiver's lane."""
            with psycopg.connect(db) as conn:
                owner = conn.execute("SELECT owner FROM webhook_lanes WHERE url = %s", (everything.url,)).fetchone()
            victim = _instance_of_pid(int(owner[0].split(":")[1]), instances) if owner and owner[0] else "b"
            alive.pop(victim)
            os.killpg(instances[victim].proc.pid, signal.SIGKILL)
            counts[f"killed instance {victim} (held the lane)" if owner else "killed instance b"] = 1
            killed.set()

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client, members))
        assert killed.is_set()

        survivor = next(iter(alive.values()))
        deadline = time.monotonic() + 60
        while True:   # the dead instance's lane is taken over once its lease runs out
            deliveries = requests.get(survivor.url("/__mock__/webhooks/deliveries"), timeout=30).json()
            if deliveries and all(d["status"] == "delivered" for d in deliveries):
                break
            assert time.monotonic() < deadline, Counter(d["status"] for d in deliveries)
            time.sleep(0.25)
        time.sleep(0.5)
        got = {"all": everything.received(), "payments": payments.received()}
    finally:
        everything.stop()
        payments.stop()
        for server in alive.values():
            server.stop()
        postgres_server.drop(db)

    outbox_order = {d["delivery_id"]: d["id"] for d in deliveries}
    for receiver, posts in got.items():
        pairs = Counter((p["headers"]["x-membermock-delivery-id"], p["headers"]["x-membermock-attempt"]) for p in posts)
        counts["duplicates"] += sum(n - 1 for n in pairs.values())   # an attempt number sent twice
        firsts = list(dict.fromkeys(p["headers"]["x-membermock-delivery-id"] for p in posts))
        ids = [outbox_order[f] for f in firsts]
        assert ids == sorted(ids), f"{receiver}: first arrivals out of outbox order"
        counts[f"webhooks delivered to {receiver}"] = len(firsts)
        counts["redelivered after the kill (next attempt)"] += len(posts) - len(firsts)
        assert all(p["valid"] for p in posts), [p["problems"] for p in posts if not p["valid"]]
    received = {p["headers"]["x-membermock-delivery-id"] for posts in got.values() for p in posts}
    counts["webhooks delivered"] = len(received)
    counts["losses"] = len(set(outbox_order) - received)
    paid = {p["body"]["data"]["id"] for p in got["payments"]}
    counts["losses"] += len({int(txn) for txn in acked} - {int(i) for i in paid})   # an acknowledged write's event
    with capsys.disabled():
        print("\nmulti-instance (2 x serve on PostgreSQL behind haproxy):",
              ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    assert counts["duplicates"] == 0 and counts["losses"] == 0
    assert counts["writes"] == 2 * CLIENTS * ROUNDS and counts["reads across instances"] > 0
