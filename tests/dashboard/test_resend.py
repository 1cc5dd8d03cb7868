"""POST /__mock__/webhooks/deliveries/{id}/resend queues a delivery again, through the real deliverer
to a real listener: same delivery id and body, the attempt count going on."""
import json

import pytest

from mock_server.app import create_app
from mock_server.config import Config
from mock_server.webhooks.deliverer import Deliverer
from tests.webhooks.listener import Listener


@pytest.fixture
def listener(tmp_path):
    with Listener(tmp_path / "got.jsonl") as running:
        yield running


def test_resend_sends_the_same_delivery_again(tmp_path, listener):
    app = create_app(Config(db=str(tmp_path / "site.sqlite3")))
    client, site = app.test_client(), app.extensions["membermock"]
    key = {"MEMBERPRESS-API-KEY": "mock-mp-api-key"}
    assert client.post("/wp-json/mp/v1/webhooks/subscribe", json={"url": listener.url, "event": "login"},
                       headers=key).status_code == 201
    client.post("/__mock__/events/login")
    deliverer = Deliverer(site.store, site.config, parallel=2)
    deliverer.drain()
    (delivery,) = client.get("/__mock__/webhooks/deliveries").get_json()
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1

    answer = client.post(f"/__mock__/webhooks/deliveries/{delivery['id']}/resend")
    assert answer.status_code == 202
    queued = answer.get_json()
    assert queued["status"] == "pending" and queued["delivery_id"] == delivery["delivery_id"]
    assert len(queued["attempt_log"]) == 1
    deliverer.drain()
    first, second = listener.wait_for(2)
    assert first["headers"]["x-membermock-delivery-id"] == second["headers"]["x-membermock-delivery-id"]
    assert (first["headers"]["x-membermock-attempt"], second["headers"]["x-membermock-attempt"]) == ("1", "2")
    assert json.dumps(first["body"], sort_keys=True) == json.dumps(second["body"], sort_keys=True)
    (after,) = client.get("/__mock__/webhooks/deliveries").get_json()
    assert after["status"] == "delivered" and [a["status"] for a in after["attempt_log"]] == [200, 200]
    deliverer.pool.shutdown(wait=True)


def test_resend_of_an_unknown_delivery_is_a_404():
    client = create_app(Config(db=":memory:")).test_client()
    answer = client.post("/__mock__/webhooks/deliveries/999/resend")
    assert answer.status_code == 404 and answer.get_json()["code"] == "mock_no_delivery"
