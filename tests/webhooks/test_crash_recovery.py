"""At least once, across a SIGKILL: deliveries pending when the server dies arrive after a restart."""
import signal
import time
import uuid

import requests

from tests.server.harness import Server, free_port
from tests.webhooks.listener import Listener


def deliveries(server, **params):
    return requests.get(server.url("/__mock__/webhooks/deliveries"), params=params, timeout=10).json()


def test_pending_deliveries_survive_sigkill(tmp_path, site_db):
    port = free_port()
    listener = Listener(tmp_path / "got.jsonl", port=port)          # not started: the receiver is down
    db = site_db
    server = Server(db, workers=2, extra=["--webhook", f"{listener.url}=member-added"]).start()
    try:
        for _ in range(3):
            tag = uuid.uuid4().hex[:8]
            created = server.mp("POST", "/members", data={"email": f"k{tag}@example.org", "username": f"k{tag}"})
            assert created.status_code == 200, created.text
        deadline = time.monotonic() + 30
        while True:  # the deliverer has tried the head of the queue; the rest wait behind it, in order
            pending = deliveries(server, status="pending")
            if len(pending) == 3 and pending[0]["attempts"] >= 1:
                break
            assert time.monotonic() < deadline, pending
            time.sleep(0.1)
        assert "ConnectionError" in pending[0]["last_error"]
        assert [d["attempts"] for d in pending[1:]] == [0, 0]
    finally:
        server.stop(signal.SIGKILL)                                 # no goodbye, no flush
    expected = {d["delivery_id"] for d in pending}

    with listener:
        server = Server(db, workers=2, extra=["--webhook", f"{listener.url}=member-added"]).start()
        try:
            got = listener.wait_for(3, timeout=30)
            assert expected <= {g["headers"]["x-membermock-delivery-id"] for g in got}
            order = [g["headers"]["x-membermock-delivery-id"] for g in got]
            assert [i for i in order if i in expected][:3] == [d["delivery_id"] for d in pending]
            assert all(g["valid"] and g["event"] == "member-added" for g in got)
            assert {d["status"] for d in deliveries(server)} == {"delivered"}
        finally:
            server.stop()
