"""PMPro in scenario files: levels, members' levels, orders, discount codes (and their uses), posts
and their restrictions. Levels, orders and codes are written the way the REST routes show them
(``pmpro.level``, ``pmpro.order``, ``pmpro.discount-code``); members' levels, posts and
restrictions as PMPro's table rows. Loading sends nothing and charges nothing: it is an import."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import cache

from membermock import contracts

from mock_server.pmpro import domain
from mock_server.pmpro.php import intval, price
from mock_server.scenarios import Collection

LEVELS = "pmpro.levels"


def _level(site, db, fields: dict, id_: int) -> dict:
    lv = {"id": id_, "name": "", "description": "", "confirmation": "", "initial_payment": "0.00",
          "billing_amount": "0.00", "cycle_number": 0, "cycle_period": "", "billing_limit": 0,
          "trial_amount": "0.00", "trial_limit": 0, "allow_signups": 1, "expiration_number": 0,
          "expiration_period": "", "categories": []}
    lv.update({k: v for k, v in fields.items() if k not in ("_key", "id", "ID")})
    for name in domain.PRICE_FIELDS:
        lv[name] = price(lv[name])
    return lv


def _membership(site, db, fields: dict, id_: int) -> dict:
    lv = domain.level(site, fields.get("membership_id"))
    if lv is None:
        raise ValueError(f"membership_id {fields.get('membership_id')!r} is not a level")
    start = domain.now()
    row = {"id": id_, "user_id": int(fields["user_id"]), "membership_id": lv["id"], "code_id": 0,
           **{name: price(lv[name]) for name in domain.PRICE_FIELDS},
           **{name: intval(lv[name]) for name in ("cycle_number", "billing_limit", "trial_limit")},
           "cycle_period": lv["cycle_period"] or "", "status": "active", "startdate": domain.mysql(start),
           "modified": domain.mysql(start)}
    row.update({k: v for k, v in fields.items() if k not in ("_key", "id")})
    if "enddate" not in fields:
        start = datetime.strptime(row["startdate"], "%Y-%m-%d %H:%M:%S")
        row["enddate"] = domain._enddate(lv, start) if row["status"] == "active" else row["modified"]
    for name in domain.PRICE_FIELDS:
        row[name] = price(row[name])
    return row


def _order(site, db, fields: dict, id_: int) -> dict:
    """An order as the order route shows it, stored as MemberOrder keeps it."""
    order = {"id": id_, "code": f"{id_:010X}", "user_id": 0, "membership_id": 0, "billing": {}, "subtotal": "0.00",
             "tax": "0.00", "total": "0.00", "payment_type": "", "cardtype": "", "accountnumber": "",
             "expirationmonth": "", "expirationyear": "", "status": "success", "gateway": "",
             "gateway_environment": "sandbox", "payment_transaction_id": "", "subscription_transaction_id": "",
             "timestamp": domain.mysql(domain.now()), "affiliate_id": "", "affiliate_subid": "", "notes": "",
             "checkout_id": 0}
    order.update({k: v for k, v in fields.items() if k not in ("_key", "id")})
    order["billing"] = {**{name: "" for name in _billing_fields()}, **order["billing"]}
    for name in ("user_id", "membership_id", "checkout_id"):
        order[name] = intval(order[name])
    if not isinstance(order["tax"], str):   # a text column: a string stays as written ("0" on real sites)
        order["tax"] = price(order["tax"])
    if isinstance(order["timestamp"], int) or str(order["timestamp"]).isdigit():
        moment = datetime.fromtimestamp(int(order["timestamp"]), timezone.utc)
        order["timestamp"] = domain.mysql(moment)
    if "total" not in fields:
        order["total"] = price(float(order["subtotal"]) + float(order["tax"]))
    return order


@cache
def _billing_fields() -> tuple[str, ...]:
    return tuple(contracts.schema("pmpro.order")["$defs"]["billing"]["properties"])


def _show_order(order: dict) -> dict:
    return domain.order_view(order)


def _code(site, db, fields: dict, id_: int) -> dict:
    levels = fields.get("levels") or {}
    return {"id": id_, "code": fields.get("code") or f"CODE{id_}", "starts": fields.get("starts", ""),
            "expires": fields.get("expires", ""), "uses": intval(fields.get("uses", 0)),
            "levels": {str(k): domain.store_pricing(v) for k, v in levels.items()}}


def _post(site, db, fields: dict, id_: int) -> dict:
    admin = site.user_by("user_login", "admin")
    post = {"id": id_, "post_type": "post", "post_title": "", "post_status": "publish",
            "post_author": admin["id"] if admin else 1}
    post.update({k: v for k, v in fields.items() if k != "_key"})
    return post


def _email(site, db, fields: dict, id_: int) -> dict:
    row = {"id": id_, "user_id": 0, "email_to": "", "email_from": "wordpress@example.com", "from_name": "", "reply_to": "",
           "cc": "", "bcc": "", "subject": "", "template": "", "status": "sent", "body": "",
           "timestamp": domain.mysql(domain.now())}
    row.update({k: v for k, v in fields.items() if k != "_key"})
    return row


def _plain(site, db, fields: dict, id_: int) -> dict:
    return {k: v for k, v in fields.items() if k != "_key"}


COLLECTIONS = [
    Collection("levels", domain.LEVEL, "pmpro.level", sequence=domain.SEQ_LEVELS, build=_level),
    Collection("discount_codes", domain.CODE, "pmpro.discount-code", sequence=domain.SEQ_CODES,
               refs={"levels{}": LEVELS}, build=_code, show=domain.code_view, symbol=lambda c: c["code"]),
    Collection("memberships", domain.MEMBERSHIP, control_schema="PmproMembership", sequence=domain.SEQ_MEMBERSHIPS,
               refs={"user_id": "users", "membership_id": LEVELS, "code_id": "pmpro.discount_codes"},
               build=_membership),
    Collection("orders", domain.ORDER, "pmpro.order", sequence=domain.SEQ_ORDERS,
               refs={"user_id": "users", "membership_id": LEVELS}, build=_order, show=_show_order),
    Collection("discount_code_uses", domain.CODE_USE, control_schema="PmproCodeUse", sequence=domain.SEQ_CODE_USES,
               refs={"code_id": "pmpro.discount_codes", "user_id": "users", "order_id": "pmpro.orders"},
               build=_plain),
    Collection("email_log", domain.EMAIL_LOG, control_schema="PmproEmailLog", sequence=domain.SEQ_EMAIL_LOG,
               refs={"user_id": "users"}, build=_email),
    Collection("posts", domain.POST, control_schema="Post", sequence="posts", build=_post),
    Collection("restrictions", domain.RESTRICTION, control_schema="Restriction", keyed_by="pmpro.posts",
               refs={"level_ids": LEVELS}, build=_plain),
]
