"""MemberPress in scenario files: which stored objects a scenario names, and how a described one
is stored. Objects are written in the add-on's own shapes (rows with string values, posts with
flags), each field normalised the way a REST create would store it; what a field leaves out
gets the model's default. Loading a scenario is an import, not activity: it sends no webhooks."""
from __future__ import annotations

from decimal import Decimal

from mock_server.memberpress import domain, serialize
from mock_server.memberpress.domain import KIND, MEMBER_DATA, SEQUENCE
from mock_server.scenarios import Collection

SINGULAR = {"groups": "group", "memberships": "membership", "coupons": "coupon", "rules": "rule"}
MEMBERSHIPS = "memberpress.memberships"


def _normalise(resource: str, obj: dict, fields: dict) -> dict:
    """Strings are kept as written (they are the stored form already); numbers and flags become
    what the add-on would store for them."""
    for name, value in fields.items():
        if name in ("_key", "id"):
            continue
        obj[name] = value if isinstance(value, str) or value is None else domain.store_value(resource, name, value)
    return obj


def _post(resource: str):
    def build(site, db, fields: dict, id_: int) -> dict:
        admin = site.user_by("user_login", "admin")
        author, now = (admin["id"] if admin else 1), domain.now()
        if resource == "groups":
            stamp = domain.mysql(now)
            obj = {"id": id_, **domain._copy(domain.GROUP_DEFAULTS), "title": "", "date": stamp, "date_gmt": stamp,
                   "modified": stamp, "modified_gmt": stamp, "author": str(author)}
        else:
            obj = domain.new_post(resource, id_, author, {}, f"{SINGULAR[resource]}-create", now)
        _normalise(resource, obj, fields)
        if resource == "memberships" and not obj["pricing_title"]:
            obj["pricing_title"] = obj["title"]
        if resource == "rules" and not obj["title"]:
            obj["title"] = domain.rule_title(obj)
        if resource == "coupons" and not obj["coupon_code"]:
            obj["coupon_code"] = f"COUPON{id_}"
        return obj
    return build


def _row(resource: str):
    def build(site, db, fields: dict, id_: int) -> dict:
        token = f"{resource[:3]}{id_:06d}"
        if resource == "subscriptions":
            membership = site.store.get(KIND["memberships"], domain.intval(fields.get("membership")))
            row = domain.new_subscription(id_, {}, membership, domain.now(), token)
        else:
            row = domain.new_transaction(id_, {}, domain.now(), token)
        _normalise(resource, row, fields)
        if "total" not in fields:
            base = row["price" if resource == "subscriptions" else "amount"]
            row["total"] = domain.money(Decimal(base) + Decimal(row["tax_amount"]))
        domain.check_gateway(row["gateway"])
        return row
    return build


def _member_data(site, db, fields: dict, id_: int) -> dict:
    data = {"id": id_, "address": {}, "profile": {}, "login_count": "0"}
    data.update({k: v for k, v in fields.items() if k not in ("_key", "id")})
    data["address"] = {**serialize.EMPTY_ADDRESS, **data["address"]} if data["address"] else {}
    data["login_count"] = str(domain.intval(data["login_count"]))
    return data


def _webhook(site, db, fields: dict, id_: int) -> dict:
    hook = {"id": id_, "url": "", "event": "all", "created_at": domain.mysql(domain.now())}
    hook.update({k: v for k, v in fields.items() if k != "_key"})
    return hook


COLLECTIONS = [
    Collection("groups", KIND["groups"], "memberpress.group", sequence=SEQUENCE["groups"], build=_post("groups")),
    Collection("memberships", KIND["memberships"], "memberpress.membership", sequence=SEQUENCE["memberships"],
               refs={"group": "memberpress.groups"}, text_refs=True, build=_post("memberships")),
    Collection("coupons", KIND["coupons"], "memberpress.coupon", sequence=SEQUENCE["coupons"],
               refs={"valid_memberships": MEMBERSHIPS}, text_refs=True, build=_post("coupons")),
    Collection("rules", KIND["rules"], "memberpress.rule", sequence=SEQUENCE["rules"],
               refs={"authorized_memberships": MEMBERSHIPS, "authorized_members": "users"}, text_refs=True,
               build=_post("rules")),
    Collection("members", MEMBER_DATA, control_schema="MemberData", keyed_by="users", build=_member_data),
    Collection("subscriptions", KIND["subscriptions"], "memberpress.subscription", sequence=SEQUENCE["subscriptions"],
               refs={"member": "users", "membership": MEMBERSHIPS, "coupon": "memberpress.coupons"},
               text_ids=True, text_refs=True, build=_row("subscriptions")),
    Collection("transactions", KIND["transactions"], "memberpress.transaction", sequence=SEQUENCE["transactions"],
               refs={"member": "users", "membership": MEMBERSHIPS, "coupon": "memberpress.coupons",
                     "subscription": "memberpress.subscriptions"},
               text_ids=True, text_refs=True, build=_row("transactions")),
    Collection("webhooks", KIND["webhooks"], control_schema="Webhook", sequence="mp_webhooks", build=_webhook),
]
