"""MemberPress mp/v1 on the mock: CRUD walks, filters, pagination, auth, validation, domain effects.

Every response is checked against its operation's contract by the ``mock`` fixture.
"""

import pytest

from mock_server.memberpress import domain

MP = "/wp-json/mp/v1"


def seeded(mock, resource, **params):
    r = mock.get(f"{MP}/{resource}", headers=mock.mp(), query_string={"per_page": -1, **params})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def ids(items):
    return {int(o["id"]) for o in items}


def refs(mock):
    member = next(m for m in seeded(mock, "members") if m["username"] == "alice")
    membership = seeded(mock, "memberships")[0]
    return {"member": member["id"], "membership": membership["id"]}


def create_body(mock, resource, tag="x"):
    r = refs(mock)
    return {
        "members": {"email": f"walk-{tag}@example.org", "username": f"walk-{tag}", "first_name": "Walk",
                    "city": "Springfield", "mepr_company_name": "Acme"},
        "memberships": {"title": f"Walk {tag}", "price": "12.50", "period": 1, "period_type": "months"},
        "coupons": {"coupon_code": f"WALK{tag.upper()}", "discount_type": "percent", "discount_amount": 15,
                    "valid_memberships": [r["membership"]]},
        "rules": {"rule_type": "single_page", "rule_content": "225", "authorized_memberships": [r["membership"]]},
        "subscriptions": {"member": r["member"], "membership": r["membership"], "gateway": "peum51-1tc",
                          "status": "active", "price": "30.00", "cc_exp_month": "7"},
        "transactions": {"member": r["member"], "membership": r["membership"], "gateway": "manual",
                         "amount": "30.00", "status": "complete", "expires_at": "2099-01-01 00:00:00"},
    }[resource]


RESOURCES = ("coupons", "members", "memberships", "rules", "subscriptions", "transactions")


@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_ids_are_404_everywhere(mock, resource):
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        r = mock.request(method, f"{MP}/{resource}/999999", headers=mock.mp(), json={})
        assert r.status_code == 404 and r.json["code"] == "mp_no_records_found", (method, r.json)


def test_seed_is_realistic(mock):
    members = seeded(mock, "members")
    assert len(members) >= 25
    assert all("@" in m["email"] for m in members)
    txns = seeded(mock, "transactions")
    assert {"complete", "refunded", "failed"} <= {t["status"] for t in txns}
    member_ids = ids(members)
    for t in txns:
        assert t["member"]["id"] in member_ids
        assert t["gateway"] in domain.GATEWAYS
    subs = seeded(mock, "subscriptions")
    assert subs and all(s["gateway"]["id"] in domain.GATEWAYS for s in subs)
    counts = {}
    for t in txns:
        if t["txn_type"] == "payment" and isinstance(t["subscription"], dict):
            counts[t["subscription"]["id"]] = counts.get(t["subscription"]["id"], 0) + 1
    assert any(n >= 2 for n in counts.values()), "some recurring subscriptions have several payments"
    assert any(m["active_memberships"] for m in members)
    assert len(seeded(mock, "memberships")) == 6 and len(seeded(mock, "coupons")) >= 3
    assert len(seeded(mock, "rules")) >= 3


# -- lists ------------------------------------------------------------------------------------

def test_pagination_headers_and_no_overlap(mock):
    total = len(seeded(mock, "transactions"))
    pages, seen = [], set()
    first = mock.get(f"{MP}/transactions", headers=mock.mp(), query_string={"per_page": 7, "page": 1})
    assert first.headers["X-WP-Total"] == str(total)
    assert first.headers["X-WP-TotalPages"] == str(-(-total // 7))
    for page in range(1, int(first.headers["X-WP-TotalPages"]) + 1):
        items = mock.get(f"{MP}/transactions", headers=mock.mp(), query_string={"per_page": 7, "page": page}).json
        assert not ids(items) & seen
        seen |= ids(items)
        pages.append(items)
    assert len(seen) == total
    assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    beyond = mock.get(f"{MP}/transactions", headers=mock.mp(), query_string={"per_page": 7, "page": 99})
    assert beyond.status_code == 200 and beyond.json == []
    default = mock.get(f"{MP}/transactions", headers=mock.mp())
    assert len(default.json) == 10
    ordered = [int(t["id"]) for t in default.json]
    assert ordered == sorted(ordered, reverse=True), "newest first by default"


def every(items, wanted) -> bool:
    """A filter's answer: not empty (a filter that finds nothing would pass any ``all``) and each
    item matching."""
    assert items, "the filter found nothing, though the seeded data holds a match"
    return all(wanted(item) for item in items)


def test_filters(mock):
    txns = seeded(mock, "transactions")
    sample = next(t for t in txns if isinstance(t["subscription"], dict))
    member_id, membership_id = sample["member"]["id"], sample["membership"]["id"]
    assert every(seeded(mock, "transactions", member=member_id), lambda t: t["member"]["id"] == member_id)
    assert every(seeded(mock, "transactions", membership=membership_id),
                 lambda t: t["membership"]["id"] == membership_id)
    assert every(seeded(mock, "transactions", status="refunded"), lambda t: t["status"] == "refunded")
    assert every(seeded(mock, "transactions", gateway="manual"), lambda t: t["gateway"] == "manual")
    assert every(seeded(mock, "transactions", subscription=sample["subscription"]["id"]),
                 lambda t: t["subscription"]["id"] == sample["subscription"]["id"])
    assert ids(seeded(mock, "transactions", **{"search[id]": sample["id"]})) == {int(sample["id"])}
    assert ids(seeded(mock, "transactions", search=sample["trans_num"])) == {int(sample["id"])}

    assert every(seeded(mock, "subscriptions", status="active"), lambda s: s["status"] == "active")
    gateway = next(s["gateway"]["id"] for s in seeded(mock, "subscriptions") if isinstance(s["gateway"], dict))
    assert every(seeded(mock, "subscriptions", gateway=gateway), lambda s: s["gateway"]["id"] == gateway)
    coupon = seeded(mock, "coupons", code="WELCOME10")
    assert [c["coupon_code"] for c in coupon] == ["WELCOME10"]
    used = next(s["coupon"]["id"] for s in seeded(mock, "subscriptions") if isinstance(s["coupon"], dict))
    assert every(seeded(mock, "subscriptions", coupon=used), lambda s: s["coupon"]["id"] == used)

    memberships = seeded(mock, "memberships")
    group = next(m["group"]["id"] for m in memberships if isinstance(m["group"], dict))
    assert every(seeded(mock, "memberships", group=group), lambda m: m["group"]["id"] == group)
    assert [m["title"] for m in seeded(mock, "memberships", search="gold")] == ["Gold"]

    alice = seeded(mock, "members", search="alice")
    assert [m["username"] for m in alice] == ["alice"]
    assert [m["username"] for m in seeded(mock, "members", **{"search[email]": "bob@"})] == ["bob"]


def test_ordering(mock):
    asc = [int(m["id"]) for m in seeded(mock, "memberships", order="id", order_dir="ASC")]
    assert asc == sorted(asc)
    readme = [m["price"] for m in seeded(mock, "memberships", orderby="price", order="ASC")]
    assert readme == sorted(readme, key=float)
    desc = [m["price"] for m in seeded(mock, "memberships", order="price", order_dir="desc")]
    assert desc == sorted(desc, key=float, reverse=True)


# -- auth ------------------------------------------------------------------------------------

def test_auth(mock):
    no_key = mock.get(f"{MP}/members")
    assert no_key.status_code == 401 and no_key.json["code"] == "rest_forbidden"
    wrong = mock.get(f"{MP}/members", headers={"MEMBERPRESS-API-KEY": "nope"})
    assert wrong.status_code == 401 and wrong.json["code"] == "rest_forbidden"
    bare = mock.get(f"{MP}/members", headers={"Authorization": mock.mp_key})
    assert bare.status_code == 200
    assert mock.get(f"{MP}/members", headers={"Authorization": "nope", **mock.mp()}).status_code == 401, \
        "Authorization is read first"
    assert mock.get(f"{MP}/members", headers=mock.basic("admin")).status_code == 200
    subscriber = mock.get(f"{MP}/members", headers=mock.basic("alice"))
    assert subscriber.status_code == 403 and subscriber.json["code"] == "rest_forbidden"
    me = mock.get(f"{MP}/me", headers=mock.mp())
    assert me.json == {"success": True, "data": {"username": mock.mp_key}}
    assert mock.get(f"{MP}/me", headers=mock.basic("admin")).json["data"]["username"] == "Site Admin"
    assert mock.get(f"{MP}/me").status_code == 401


def test_validation_names_the_param(mock):
    r = mock.get(f"{MP}/subscriptions", headers=mock.mp(), query_string={"status": "bogus"})
    assert r.status_code == 400 and r.json["code"] == "rest_invalid_param" and "status" in r.json["data"]["params"]
    r = mock.get(f"{MP}/members", headers=mock.mp(), query_string={"per_page": "0"})
    assert r.status_code == 400 and "per_page" in r.json["data"]["params"]
    r = mock.post(f"{MP}/members", headers=mock.mp(), json={"email": "a@b.c"})
    assert r.status_code == 400 and r.json["code"] == "rest_missing_callback_param" and "username" in r.json["data"]["params"]
    r = mock.post(f"{MP}/transactions", headers=mock.mp(), json={"status": "paid"})
    assert r.status_code == 400 and "status" in r.json["data"]["params"]
    # WordPress checks args before the permission callback.
    r = mock.get(f"{MP}/subscriptions", query_string={"status": "bogus"})
    assert r.status_code == 400
    bad_json = mock.post(f"{MP}/memberships", headers={**mock.mp(), "Content-Type": "application/json"}, data="{")
    assert bad_json.status_code == 400 and bad_json.json["code"] == "rest_invalid_json"


def test_refused_references_are_400_and_change_nothing(mock):
    before = seeded(mock, "transactions")
    r = mock.post(f"{MP}/transactions", headers=mock.mp(), json={"member": 999999, "membership": 1})
    assert r.status_code == 400 and r.json["code"] == "mp_db_create_error"
    body = {**create_body(mock, "subscriptions"), "gateway": "paypal-nope"}
    r = mock.post(f"{MP}/subscriptions", headers=mock.mp(), json=body)
    assert r.status_code == 400 and "payment method" in r.json["message"]
    r = mock.post(f"{MP}/members", headers=mock.mp(), json={"email": "x@example.org", "username": "alice"})
    assert r.status_code == 400
    assert len(seeded(mock, "transactions")) == len(before)


def test_create_defaults_and_shapes(mock):
    sub = mock.post(f"{MP}/subscriptions", headers=mock.mp(), json=create_body(mock, "subscriptions")).json
    assert sub["status"] == "active" and sub["cc_exp_month"] == "07"
    assert sub["gateway"]["id"] == "peum51-1tc" and isinstance(sub["membership"], dict)
    assert sub["coupon"] is False and sub["member"]["username"] == "alice"
    txn = mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        **create_body(mock, "transactions"), "subscription": sub["id"]}).json
    assert txn["subscription"]["id"] == sub["id"] and txn["subscription_payment_index"] == 1
    assert "address" in txn["member"] and txn["total"] == "30.00"
    rule = mock.post(f"{MP}/rules", headers=mock.mp(), json=create_body(mock, "rules")).json
    assert rule["title"] and isinstance(rule["author"], dict)
    coupon = mock.post(f"{MP}/coupons", headers=mock.mp(), json={"discount_amount": "5"}).json
    assert len(coupon["coupon_code"]) == 10 and coupon["discount_amount"] == "5.00"


# -- domain effects ----------------------------------------------------------------------------

def new_member(mock, tag, **extra):
    body = {"email": f"{tag}@example.org", "username": tag, **extra}
    r = mock.post(f"{MP}/members", headers=mock.mp(), json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def member(mock, member_id):
    return mock.get(f"{MP}/members/{member_id}", headers=mock.mp()).json


def test_member_create_with_transaction(mock):
    membership = seeded(mock, "memberships")[0]
    m = new_member(mock, "newbie", first_name="New", address1="1 Main St", mepr_company_name="Acme",
                   transaction={"membership": membership["id"], "amount": "9.00", "status": "complete",
                                "expires_at": "2099-12-31 23:59:59"})
    assert [x["id"] for x in m["active_memberships"]] == [membership["id"]]
    assert m["active_txn_count"] == "1" and m["first_txn"]["membership"] == str(membership["id"])
    assert m["address"]["mepr-address-one"] == "1 Main St" and m["profile"]["mepr_company_name"] == "Acme"
    txns = seeded(mock, "transactions", member=m["id"])
    assert len(txns) == 1 and txns[0]["amount"] == "9.00"


def test_member_create_with_bad_transaction_creates_nothing(mock):
    r = mock.post(f"{MP}/members", headers=mock.mp(), json={
        "email": "ghost@example.org", "username": "ghost", "transaction": {"membership": 999999}})
    assert r.status_code == 400
    assert not seeded(mock, "members", search="ghost")


def test_refund_only_completed_txn_removes_active_membership(mock):
    membership = seeded(mock, "memberships")[2]
    m = new_member(mock, "refundee", transaction={"membership": membership["id"], "status": "complete",
                                                  "amount": membership["price"]})
    assert [x["id"] for x in m["active_memberships"]] == [membership["id"]]
    txn_id = m["latest_txn"]["id"]
    r = mock.post(f"{MP}/transactions/{txn_id}/refund", headers=mock.mp())
    assert r.status_code == 200 and r.json["message"]
    assert r.json["data"]["data"]["status"] == "refunded"
    after = member(mock, m["id"])
    assert after["active_memberships"] == [] and after["active_txn_count"] == "0"
    assert after["recent_transactions"][0]["status"] == "refunded"


def test_cancel_expire_and_refund_and_cancel(mock):
    m = new_member(mock, "subber")
    membership = seeded(mock, "memberships")[1]
    sub = mock.post(f"{MP}/subscriptions", headers=mock.mp(), json={
        "member": m["id"], "membership": membership["id"], "status": "active"}).json
    for _ in range(2):
        mock.post(f"{MP}/transactions", headers=mock.mp(), json={
            "member": m["id"], "membership": membership["id"], "subscription": sub["id"], "status": "complete",
            "amount": sub["price"], "expires_at": "2099-01-01 00:00:00"})
    now = member(mock, m["id"])
    assert now["active_txn_count"] == "2" and now["sub_count"] == "1"
    assert now["recent_subscriptions"][0]["id"] == sub["id"]
    payments = seeded(mock, "transactions", subscription=sub["id"], order="id", order_dir="ASC")
    assert [p["subscription_payment_index"] for p in payments] == [1, 2]
    assert [p["rebill"] for p in payments] == [False, True]

    expired = mock.post(f"{MP}/subscriptions/{sub['id']}/expire", headers=mock.mp())
    assert expired.status_code == 200 and expired.json["message"]
    lapsed = member(mock, m["id"])
    assert lapsed["active_memberships"] == [] and lapsed["expired_txn_count"] == "2"
    for txn in seeded(mock, "transactions", subscription=sub["id"]):
        assert domain.parse_mysql(txn["expires_at"]) <= domain.now()

    cancelled = mock.post(f"{MP}/subscriptions/{sub['id']}/cancel", headers=mock.mp())
    assert cancelled.status_code == 200
    assert cancelled.json["data"]["data"]["status"] == "cancelled"
    assert member(mock, m["id"])["sub_count"] == "0"

    sub2 = mock.post(f"{MP}/subscriptions", headers=mock.mp(), json={
        "member": m["id"], "membership": membership["id"], "status": "active"}).json
    txn = mock.post(f"{MP}/transactions", headers=mock.mp(), json={
        "member": m["id"], "membership": membership["id"], "subscription": sub2["id"], "status": "complete"}).json
    both = mock.post(f"{MP}/transactions/{txn['id']}/refund_and_cancel", headers=mock.mp())
    assert both.status_code == 200
    assert both.json["data"]["data"]["status"] == "refunded"
    assert both.json["data"]["data"]["subscription"]["status"] == "cancelled"
    assert mock.get(f"{MP}/subscriptions/{sub2['id']}", headers=mock.mp()).json["status"] == "cancelled"
    for action in ("cancel", "expire"):
        assert mock.post(f"{MP}/subscriptions/999999/{action}", headers=mock.mp()).status_code == 404
    for action in ("refund", "refund_and_cancel"):
        assert mock.post(f"{MP}/transactions/999999/{action}", headers=mock.mp()).status_code == 404


def test_deleting_a_referenced_membership_leaves_dangling_ids(mock):
    membership = mock.post(f"{MP}/memberships", headers=mock.mp(), json={"title": "Doomed", "price": 5}).json
    m = new_member(mock, "orphan", transaction={"membership": membership["id"], "status": "complete"})
    assert m["active_memberships"]
    assert mock.delete(f"{MP}/memberships/{membership['id']}", headers=mock.mp()).json is True
    after = member(mock, m["id"])
    assert after["active_memberships"] == []
    txn = mock.get(f"{MP}/transactions/{after['latest_txn']['id']}", headers=mock.mp()).json
    assert txn["membership"] == str(membership["id"])


def test_deleting_a_subscription_or_member_takes_their_rows(mock):
    m = new_member(mock, "leaver", transaction={"membership": seeded(mock, "memberships")[0]["id"]})
    txn_id = m["latest_txn"]["id"]
    assert mock.delete(f"{MP}/members/{m['id']}", headers=mock.mp()).json is True
    assert mock.get(f"{MP}/transactions/{txn_id}", headers=mock.mp()).status_code == 404
    sub = seeded(mock, "subscriptions")[0]
    payments = seeded(mock, "transactions", subscription=sub["id"])
    mock.delete(f"{MP}/subscriptions/{sub['id']}", headers=mock.mp())
    for t in payments:
        assert mock.get(f"{MP}/transactions/{t['id']}", headers=mock.mp()).status_code == 404


def test_ids_never_reused(mock):
    first = mock.post(f"{MP}/memberships", headers=mock.mp(), json={"title": "One"}).json["id"]
    mock.delete(f"{MP}/memberships/{first}", headers=mock.mp())
    coupon = mock.post(f"{MP}/coupons", headers=mock.mp(), json={}).json["id"]
    assert coupon > first, "posts share one sequence"
    txn = mock.post(f"{MP}/transactions", headers=mock.mp(), json=create_body(mock, "transactions")).json["id"]
    mock.delete(f"{MP}/transactions/{txn}", headers=mock.mp())
    again = mock.post(f"{MP}/transactions", headers=mock.mp(), json=create_body(mock, "transactions")).json["id"]
    assert int(again) > int(txn)
    u1 = new_member(mock, "tmp1")["id"]
    mock.delete(f"{MP}/members/{u1}", headers=mock.mp())
    assert new_member(mock, "tmp2")["id"] > u1


# -- webhooks ----------------------------------------------------------------------------------

def test_webhooks(mock):
    r = mock.post(f"{MP}/webhooks/subscribe", headers=mock.mp(),
                  data={"url": "https://hooks.example.com/mp", "event": "transaction-completed"})
    assert r.status_code == 201 and 1 <= r.json["data"]["id"] <= 99999
    hook_id = r.json["data"]["id"]
    stored = mock.site.store.get("mp_webhook", hook_id)
    assert stored["url"] == "https://hooks.example.com/mp" and stored["event"] == "transaction-completed"
    assert mock.post(f"{MP}/webhooks/subscribe", headers=mock.mp(),
                     json={"url": "https://x.example/all", "event": "all"}).status_code == 201
    for bad in ({"url": "not a url", "event": "login"}, {"url": "https://x.example", "event": "nope"},
                {"url": "https://x.example"}, {}):
        r = mock.post(f"{MP}/webhooks/subscribe", headers=mock.mp(), json=bad)
        assert r.status_code == 409 and r.json["success"] is False and r.json["data"]["message"], bad
    assert mock.post(f"{MP}/webhooks/subscribe", json={"url": "https://x.example", "event": "login"}).status_code == 401
    # unsubscribe needs no credentials
    gone = mock.delete(f"{MP}/webhooks/unsubscribe/{hook_id}")
    assert gone.status_code == 200 and gone.json == {"success": True}
    again = mock.delete(f"{MP}/webhooks/unsubscribe/{hook_id}")
    assert again.status_code == 409 and again.json["success"] is False


def test_form_bodies_and_rest_route(mock):
    membership = seeded(mock, "memberships")[0]
    r = mock.post("/", query_string={"rest_route": "/mp/v1/members"}, headers=mock.mp(),
                  data={"email": "form@example.org", "username": "formy", "transaction[membership]": membership["id"],
                        "transaction[status]": "complete"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["active_txn_count"] == "1"


def test_odd_input_never_500(mock):
    huge = "9" * 30
    for path in (f"{MP}/members/{huge}", f"{MP}/transactions/{huge}/refund", f"{MP}/webhooks/unsubscribe/{huge}"):
        r = mock.request("DELETE" if "webhooks" in path else ("POST" if "refund" in path else "GET"), path,
                         headers=mock.mp())
        assert r.status_code in (404, 409), (path, r.status_code)
    r = mock.post(f"{MP}/members", headers={**mock.mp(), "Content-Type": "application/json"}, data="null")
    assert r.status_code == 400 and r.json["code"] == "rest_missing_callback_param"
    r = mock.post(f"{MP}/memberships", headers=mock.mp(), json=[1, 2])
    assert r.status_code == 400
    r = mock.post(f"{MP}/memberships", headers=mock.mp(), json={"title": "Ünïcødé \u2603 <b>\"'", "price": "1e3"})
    assert r.status_code in (200, 400)
    r = mock.post(f"{MP}/transactions", headers=mock.mp(), json={**create_body(mock, "transactions"),
                                                                  "created_at": "2024-13-45"})
    assert r.status_code == 400
    r = mock.post(f"{MP}/webhooks/subscribe", headers=mock.mp(), json=None)
    assert r.status_code == 409
