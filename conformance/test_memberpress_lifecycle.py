"""MemberPress effects a schema cannot state: what a refund, a cancel or a purchase changes."""
from __future__ import annotations

import pytest

from conformance import memberpress as mp

pytestmark = [pytest.mark.api("memberpress"), pytest.mark.writes]


@pytest.mark.covers("createMember", "createTransaction", "getMember", "refundTransaction", "getTransaction")
def test_refund_marks_transaction_refunded_and_ends_access(target):
    mp.require(target)
    level = mp.membership(target)
    member = mp.new_member(target)
    assert str(level["id"]) not in mp.active_ids(member), "createMember: a new member already has the membership"
    txn = mp.new_transaction(target, member, level)
    after_purchase = mp.ok(mp.call(target, "GET", f"/members/{member['id']}"), "getMember")
    assert str(level["id"]) in mp.active_ids(after_purchase), (
        f"getMember: rule 'active_memberships follows transactions' broken: membership {level['id']} missing "
        f"after a complete transaction ({mp.active_ids(after_purchase)})")
    mp.ok(mp.call(target, "POST", f"/transactions/{txn['id']}/refund"), "refundTransaction")
    refunded = mp.ok(mp.call(target, "GET", f"/transactions/{txn['id']}"), "getTransaction")
    assert refunded["status"] == "refunded", \
        f"refundTransaction: rule 'refund makes the transaction refunded' broken: status is {refunded['status']!r}"
    after_refund = mp.ok(mp.call(target, "GET", f"/members/{member['id']}"), "getMember")
    assert str(level["id"]) not in mp.active_ids(after_refund), (
        f"getMember: rule 'active_memberships follows transactions' broken: membership {level['id']} still "
        "active after its only transaction was refunded")


@pytest.mark.covers("createSubscription", "cancelSubscription", "getSubscription")
def test_cancel_stops_the_subscription(target):
    mp.require(target)
    level = mp.membership(target)
    member = mp.new_member(target)
    sub = mp.new_subscription(target, member, level)
    assert sub["status"] == "active", f"createSubscription: asked for active, got {sub['status']!r}"
    mp.ok(mp.call(target, "POST", f"/subscriptions/{sub['id']}/cancel"), "cancelSubscription")
    cancelled = mp.ok(mp.call(target, "GET", f"/subscriptions/{sub['id']}"), "getSubscription")
    assert cancelled["status"] == "cancelled", \
        f"cancelSubscription: rule 'cancel stops the subscription' broken: status is {cancelled['status']!r}"


@pytest.mark.covers("createMember", "deleteMember", "getMember")
def test_deleted_member_is_gone(target):
    mp.require(target)
    member = mp.new_member(target)
    mp.ok(mp.call(target, "DELETE", f"/members/{member['id']}"), "deleteMember")
    gone = mp.call(target, "GET", f"/members/{member['id']}")
    assert gone.status_code == 404, f"getMember: rule 'deleted is gone' broken: {gone.status_code} after deleteMember"
