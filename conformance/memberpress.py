"""MemberPress actions the scenario and webhook tests share. Everything made here goes through the
target's recording session, so the contract's links register it for deletion at the end."""
from __future__ import annotations

import uuid

import pytest

API = "memberpress"
ROOT = "/wp-json/mp/v1"


def call(target, method: str, path: str, **kw):
    return target.call(API, method, ROOT + path, **kw)


def ok(response, what: str):
    assert 200 <= response.status_code < 300, \
        f"{what}: expected success, got {response.status_code}: {response.text[:300]}"
    return response.json()


def require(target) -> None:
    if target.credentials(API) is None:
        pytest.skip("no MemberPress credentials (--mp-api-key, or --wp-user/--wp-app-password)")


def membership(target) -> dict:
    found = ok(call(target, "GET", "/memberships", params={"per_page": 1}), "listMemberships")
    if not found:
        pytest.skip("the site has no membership to buy")
    return found[0]


def gateway(target) -> str:
    """A gateway the site uses, read from an existing transaction ('manual' when there is none)."""
    found = ok(call(target, "GET", "/transactions", params={"per_page": 1}), "listTransactions")
    return str(found[0].get("gateway") or "manual") if found else "manual"


def new_member(target) -> dict:
    tag = uuid.uuid4().hex[:10]
    return ok(call(target, "POST", "/members", json={"email": f"conformance-{tag}@example.com",
                                                      "username": f"conformance-{tag}"}), "createMember")


def new_transaction(target, member: dict, level: dict, status: str = "complete") -> dict:
    body = {"member": member["id"], "membership": level["id"], "amount": "10.00", "total": "10.00",
            "status": status, "gateway": gateway(target), "trans_num": f"conformance-{uuid.uuid4().hex[:12]}"}
    return ok(call(target, "POST", "/transactions", json=body), "createTransaction")


def new_subscription(target, member: dict, level: dict) -> dict:
    body = {"member": member["id"], "membership": level["id"], "gateway": gateway(target), "price": "5.00",
            "total": "5.00", "status": "active", "subscr_id": f"conformance-{uuid.uuid4().hex[:12]}"}
    return ok(call(target, "POST", "/subscriptions", json=body), "createSubscription")


def active_ids(member: dict) -> set[str]:
    return {str(m["id"] if isinstance(m, dict) else m) for m in member.get("active_memberships") or []}
