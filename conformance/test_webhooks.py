"""Webhook conformance: the suite listens, subscribes through the server's webhook API, acts, and
checks that each expected event arrives with a payload valid against ``memberpress.event``.

The listener is an HTTP server inside this process, on a free port; the URL handed to the server
uses ``--webhook-host`` (default 127.0.0.1) for servers that reach this machine by another
address. A server answering 404 to the subscribe route does not offer webhooks: skipped, saying so.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance import memberpress as mp
from membermock import contracts

pytestmark = [pytest.mark.api("memberpress"), pytest.mark.writes]
WAIT = 30.0
# What the actions below must make the server send, and the object each payload is about.
EXPECTED = {
    "member-added": "member",
    "transaction-completed": "transaction",
    "non-recurring-transaction-completed": "transaction",
    "transaction-refunded": "transaction",
    "member-deleted": None,  # its contract sends the user fields, id included, as null
}


class _Inbox(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self.server.lock:
            self.server.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class Listener:
    def __init__(self, host: str):
        bind = "127.0.0.1" if host in ("127.0.0.1", "localhost") else "0.0.0.0"
        self.server = ThreadingHTTPServer((bind, 0), _Inbox)
        self.server.daemon_threads = True
        self.server.lock = threading.Lock()
        self.server.received = []
        self.url = f"http://{host}:{self.server.server_address[1]}/conformance-hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        with self.server.lock:
            return list(self.server.received)

    def wait_for(self, names, timeout: float = WAIT) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = {e.get("event") for e in self.events() if isinstance(e, dict)}
            if set(names) <= got:
                break
            time.sleep(0.2)
        return self.events()


@pytest.fixture(scope="module")
def deliveries(target):
    mp.require(target)
    with Listener(target.options.webhook_host) as listener:
        sub = mp.call(target, "POST", "/webhooks/subscribe", json={"url": listener.url, "event": "all"})
        if sub.status_code == 404:
            pytest.skip("the server does not offer webhooks (subscribeWebhook answered 404)")
        assert sub.status_code == 201, f"subscribeWebhook: expected 201, got {sub.status_code}: {sub.text[:200]}"
        hook = sub.json()["data"]["id"]
        try:
            level = mp.membership(target)
            member = mp.new_member(target)
            txn = mp.new_transaction(target, member, level)
            mp.ok(mp.call(target, "POST", f"/transactions/{txn['id']}/refund"), "refundTransaction")
            mp.ok(mp.call(target, "DELETE", f"/members/{member['id']}"), "deleteMember")
            received = listener.wait_for(EXPECTED)
        finally:
            mp.call(target, "DELETE", f"/webhooks/unsubscribe/{hook}")
    return {"events": received, "ids": {"member": member["id"], "transaction": txn["id"]}, "url": listener.url}


@pytest.mark.parametrize("event", [pytest.param(e, marks=pytest.mark.event(e), id=e) for e in EXPECTED])
def test_event_arrives_valid(event, deliveries):
    mine = [e for e in deliveries["events"] if isinstance(e, dict) and e.get("event") == event]
    assert mine, (f"{event}: rule 'event sent' broken: not delivered to {deliveries['url']} within {WAIT:.0f} s "
                  f"(got {sorted({e.get('event') for e in deliveries['events'] if isinstance(e, dict)})})")
    problems = contracts.problems("memberpress.event", mine[0])
    assert not problems, f"{event}: rule 'payload conforms to memberpress.event' broken: " + "; ".join(map(str, problems[:5]))
    about = EXPECTED[event]
    if about is None:
        return
    wanted = str(deliveries["ids"][about])
    ids = {str((e.get("data") or {}).get("id")) for e in mine}
    assert wanted in ids, f"{event}: rule 'payload is about the object acted on' broken: data.id {sorted(ids)}, expected {wanted}"
