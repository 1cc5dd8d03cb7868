"""Each MemberPress resource through a real server: create, get, update, list, delete, get again.

Every answer is also checked against its operation's contract.
"""
import json
import uuid

import pytest

from tests.contract import assert_conforms
from tests.samples.corpus import SAMPLES_DIR


def sample(name):
    return json.loads((SAMPLES_DIR / "003" / f"{name}.json").read_text(encoding="utf-8"))


def seeded_ids(server):
    first = lambda path: server.mp("GET", path, params={"per_page": 1}).json()[0]
    member, membership = first("/members"), first("/memberships")
    txn = first("/transactions")
    return {"member": str(member["id"]), "membership": str(membership["id"]), "gateway": txn["gateway"]}


def body(resource, ids):
    tag = uuid.uuid4().hex[:8]
    if resource == "members":
        return {**sample("member-create-request"), "email": f"walk-{tag}@example.org", "username": f"walk-{tag}"}
    if resource == "memberships":
        return {**sample("membership-create-request"), "title": f"Walk {tag}"}
    if resource == "coupons":
        return {**sample("coupon-create-request"), "coupon_code": f"WALK{tag.upper()}", "valid_memberships": [ids["membership"]]}
    if resource == "rules":
        return {**sample("rule-create-request"), "authorized_memberships": [ids["membership"]]}
    if resource == "subscriptions":
        return {**sample("subscription-create-request"), "member": ids["member"], "membership": ids["membership"],
                "gateway": ids["gateway"], "subscr_id": f"sub_{tag}"}
    if resource == "transactions":
        return {**sample("transaction-create-request"), "member": ids["member"], "membership": ids["membership"],
                "gateway": ids["gateway"], "trans_num": f"txn_{tag}", "status": "complete"}
    raise KeyError(resource)


UPDATES = {
    "members": ("first_name", "Renamed"),
    "memberships": ("title", "Renamed membership"),
    "coupons": ("discount_amount", "20.00"),
    "rules": ("unauth_message_type", "custom"),
    "subscriptions": ("price", "42.00"),
    "transactions": ("amount", "42.00"),
}


def same(a, b):
    """Loose equality the way PHP compares: "20" == "20.00" == 20."""
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


@pytest.mark.parametrize("resource", sorted(UPDATES))
def test_create_get_update_list_delete_walk(server, resource):
    def call(method, path, **kw):
        response = server.mp(method, path, **kw)
        assert_conforms(response)
        return response

    ids = seeded_ids(server)
    created = call("POST", f"/{resource}", json=body(resource, ids))
    assert created.status_code in (200, 201), created.text
    obj = created.json()
    new_id = int(obj["id"])

    got = call("GET", f"/{resource}/{new_id}")
    assert got.status_code == 200 and int(got.json()["id"]) == new_id

    field, value = UPDATES[resource]
    for method in ("POST", "PUT", "PATCH"):  # the documented form and the two REST verbs
        updated = call(method, f"/{resource}/{new_id}", data={field: value})
        assert updated.status_code == 200, updated.text
        assert same(updated.json()[field], value)
    assert same(call("GET", f"/{resource}/{new_id}").json()[field], value), "the update was not stored"

    listed = call("GET", f"/{resource}", params={"per_page": -1})
    assert listed.status_code == 200
    assert new_id in {int(o["id"]) for o in listed.json()}
    assert int(listed.headers["X-WP-Total"]) == len(listed.json())

    deleted = call("DELETE", f"/{resource}/{new_id}")
    assert deleted.status_code == 200, deleted.text
    gone = call("GET", f"/{resource}/{new_id}")
    assert gone.status_code == 404
    assert gone.json()["code"] == "mp_no_records_found"
    assert call("DELETE", f"/{resource}/{new_id}").status_code == 404
