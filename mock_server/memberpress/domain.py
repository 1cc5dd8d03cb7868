"""MemberPress domain rules as plain functions: no Flask, no store.

Stored shapes are the add-on's raw rows (the form `first_txn` and `recent_subscriptions` show:
every value a string, flags "0"/"1") for transactions and subscriptions, and the post objects
(flags as booleans, ids as strings inside) for memberships, groups, coupons and rules. What a
member's activity looks like (`active_memberships`, counts, first/latest/recent rows) is derived
from the stored rows at read time, never stored.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import cache

from membermock import contracts

NEVER = "0000-00-00 00:00:00"       # expires_at of a lifetime transaction
ACTIVE_TXN = ("complete", "confirmed")
RECENT = 10                          # rows in recent_transactions / recent_subscriptions

KIND = {  # store kind of each resource
    "memberships": "mp_membership", "groups": "mp_group", "rules": "mp_rule", "coupons": "mp_coupon",
    "subscriptions": "mp_subscription", "transactions": "mp_transaction", "members": "user",
    "webhooks": "mp_webhook",
}
MEMBER_DATA = "mp_member"           # per-user MemberPress data (address, profile, login count)
SEQUENCE = {"memberships": "posts", "groups": "posts", "rules": "posts", "coupons": "posts",
            "subscriptions": "mepr_subscriptions", "transactions": "mepr_transactions"}
OBJECT_SCHEMA = {"memberships": "membership", "groups": "group", "rules": "rule", "coupons": "coupon",
                 "subscriptions": "subscription", "transactions": "transaction", "members": "member"}
ROWS = ("subscriptions", "transactions")   # custom tables: string ids, "0"/"1" flags

# Payment methods configured on the mocked site (MemberPress > Settings > Payments).
STRIPE_CAPS = ["process-credit-cards", "process-payments", "process-refunds", "create-subscriptions",
               "cancel-subscriptions", "update-subscriptions", "suspend-subscriptions",
               "resume-subscriptions", "send-cc-expirations"]
GATEWAYS = {
    "manual": {
        "name": "Offline Payment", "label": "Offline Payment", "use_label": True,
        "icon": "", "use_icon": True, "desc": "", "use_desc": True, "id": "manual", "has_spc_form": None,
        "settings": {"gateway": "MeprArtificialGateway", "id": "manual", "label": "Offline Payment",
                     "use_label": True, "use_icon": True, "use_desc": True, "manually_complete": False,
                     "no_cancel_up_down_grade": False},
        "capabilities": ["process-payments", "process-refunds", "create-subscriptions", "cancel-subscriptions",
                         "update-subscriptions", "suspend-subscriptions", "resume-subscriptions",
                         "send-cc-expirations", "subscription-trial-payment"],
    },
    "peum51-1tc": {
        "name": "Stripe", "label": "Credit Card (Stripe)", "use_label": True,
        "icon": "http://localhost/wp-content/plugins/memberpress/images/checkout/cards.png", "use_icon": True,
        "desc": "Pay with your credit card via Stripe", "use_desc": True, "id": "peum51-1tc", "has_spc_form": True,
        "settings": {"gateway": "MeprStripeGateway", "id": "peum51-1tc", "label": "Credit Card (Stripe)",
                     "use_label": True, "use_icon": True, "use_desc": True, "email": "", "sandbox": False,
                     "force_ssl": False, "debug": False, "test_mode": "on", "use_stripe_checkout": False,
                     "churn_buster_enabled": False, "churn_buster_uuid": "",
                     "api_keys": {"test": {"public_key": "pk_test_mock000000000000000000",
                                           "secret_key": "sk_test_mock000000000000000000"},
                                  "live": {"public": "", "secret": ""}},
                     "saved": "1"},
        "capabilities": STRIPE_CAPS,
    },
}
DEFAULT_GATEWAY = "manual"

# Model defaults (MeprProduct, MeprSubscription, MeprTransaction, MeprCoupon, MeprRule constructors).
MEMBERSHIP_DEFAULTS = {
    "content": "", "excerpt": "", "status": "publish", "group": "0", "price": "0.00", "period": "1",
    "period_type": "lifetime", "signup_button_text": "Sign Up", "limit_cycles": False, "limit_cycles_num": "2",
    "limit_cycles_action": "expire", "trial": False, "trial_days": "0", "trial_amount": "0.00", "trial_once": "1",
    "group_order": "0", "is_highlighted": False, "plan_code": "", "pricing_title": "", "pricing_show_price": True,
    "pricing_display": "auto", "custom_price": "", "pricing_heading_txt": "", "pricing_footer_txt": "",
    "pricing_button_txt": "Sign Up", "pricing_button_position": "footer", "pricing_benefits": [],
    "register_price_action": "default", "register_price": "", "thank_you_page_enabled": False,
    "thank_you_page_type": "", "thank_you_message": "", "thank_you_page_id": "0",
    "custom_login_urls_enabled": False, "custom_login_urls_default": "", "custom_login_urls": [],
    "expire_type": "none", "expire_after": "1", "expire_unit": "days", "expire_fixed": "", "tax_exempt": False,
    "allow_renewal": False, "access_url": "", "disable_address_fields": False, "simultaneous_subscriptions": False,
    "use_custom_template": False, "custom_template": "", "customize_payment_methods": False,
    "custom_payment_methods": [], "customize_profile_fields": False, "custom_profile_fields": [],
    "cannot_purchase_message": "You don't have access to purchase this item.",
}
GROUP_DEFAULTS = {
    "content": "", "excerpt": "", "status": "publish", "pricing_page_disabled": False,
    "disable_change_plan_popup": False, "is_upgrade_path": True, "upgrade_path_reset_period": False,
    "group_theme": "minimal_gray_horizontal.css", "fallback_membership": "", "page_button_class": "",
    "page_button_highlighted_class": "", "page_button_disabled_class": "", "alternate_group_url": "",
    "use_custom_template": False, "custom_template": "",
}
COUPON_DEFAULTS = {
    "status": "publish", "valid_memberships": [], "use_on_upgrades": False, "should_start": False,
    "starts_on": "0", "should_expire": False, "expires_on": "0", "usage_count": "0", "usage_amount": "0",
    "discount_type": "percent", "discount_amount": "0.00", "discount_mode": "standard",
    "first_payment_discount_type": "percent", "first_payment_discount_amount": "0.00",
    "trial_days": "0", "trial_amount": "0.00",
}
RULE_DEFAULTS = {
    "status": "publish", "rule_type": "all", "rule_content": "", "is_rule_content_regex": False,
    "drip_enabled": False, "drip_amount": "0", "drip_unit": "days", "drip_after": "registers",
    "drip_after_fixed": "", "expires_enabled": False, "expires_amount": "0", "expires_unit": "days",
    "expires_after": "registers", "expires_after_fixed": "", "unauth_excerpt_type": "default",
    "unauth_excerpt_size": "100", "unauth_message_type": "default", "unauth_message": "",
    "unauth_login": "default", "auto_gen_title": True,
    "authorized_memberships": [], "authorized_members": [], "authorized_roles": [], "authorized_capabilities": [],
}
SUBSCRIPTION_DEFAULTS = {
    "coupon": "0", "subscr_id": "", "gateway": DEFAULT_GATEWAY, "price": "0.00", "period": "1",
    "period_type": "months", "limit_cycles": "0", "limit_cycles_num": "0", "limit_cycles_action": "expire",
    "prorated_trial": "0", "trial": "0", "trial_days": "0", "trial_amount": "0.00", "status": "pending",
    "total": "0.00", "tax_rate": "0.000", "tax_amount": "0.00", "tax_desc": "", "tax_class": "standard",
    "cc_last4": None, "cc_exp_month": None, "cc_exp_year": None, "token": "", "tax_compound": "0",
    "tax_shipping": "1", "response": None,
}
TRANSACTION_DEFAULTS = {
    "coupon": "0", "subscription": "0", "amount": "0.00", "total": "0.00", "tax_amount": "0.00",
    "tax_rate": "0.000", "tax_desc": "", "tax_class": "standard", "trans_num": "", "status": "pending",
    "txn_type": "payment", "gateway": DEFAULT_GATEWAY, "prorated": "0", "expires_at": NEVER,
    "corporate_account_id": "0", "parent_transaction_id": "0", "tax_compound": "0", "tax_shipping": "1",
    "response": None,
}
DEFAULTS = {"memberships": MEMBERSHIP_DEFAULTS, "coupons": COUPON_DEFAULTS, "rules": RULE_DEFAULTS,
            "subscriptions": SUBSCRIPTION_DEFAULTS, "transactions": TRANSACTION_DEFAULTS}
# Request fields that are instructions, not stored values.
NOT_STORED = {"send_welcome_email", "send_receipt_email", "send_password_email", "password", "transaction",
              "description"}


class Refused(ValueError):
    """A request the add-on's model check refuses (mp_db_create_error)."""


# -- time ------------------------------------------------------------------------------------

def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)


def mysql(moment: datetime) -> str:
    # strftime's %Y is not zero-padded below year 1000 here; MySQL's DATETIME always is.
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")


def parse_mysql(text) -> datetime | None:
    if not text or str(text).startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def to_mysql(value: str) -> str:
    """A request date ("2024-05-01", ISO with T/zone, MySQL) as a MySQL UTC datetime."""
    text = str(value).strip()
    if text.startswith("0000-00-00"):
        return NEVER
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        match = re.match(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?", text)
        try:
            moment = datetime.fromisoformat(f"{match.group(1)} {match.group(2)}{match.group(3) or ':00'}")
        except (AttributeError, ValueError):
            raise Refused(f"Invalid date: {value}") from None
    if moment.tzinfo:
        try:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise Refused(f"Invalid date: {value}") from None
    return mysql(moment.replace(microsecond=0))


# -- values as the add-on stores them ---------------------------------------------------------

@cache
def field_types(resource: str) -> dict[str, str]:
    """For each field of the object contract: flag, decimal, int, datetime or other (read from its $ref)."""
    props = dict(contracts.schema(f"memberpress.{OBJECT_SCHEMA[resource]}").get("properties", {}))
    out = {}
    for name, spec in props.items():
        text = str(spec)
        for token, kind in (("flag.json", "flag"), ("decimal-string.json", "decimal"), ("numeric.json", "decimal"),
                            ("int-like.json", "int"), ("datetime.json", "datetime")):
            if token in text:
                out[name] = kind
                break
        else:
            out[name] = "other"
    return out


@cache
def accepted_fields(request: str) -> frozenset[str]:
    return frozenset(contracts.schema(f"memberpress.requests.{request}").get("properties", {}))


def truthy(value) -> bool:
    return value not in (False, None, 0, "0", "", "false")


def money(value, places: int = 2) -> str:
    try:
        return str(Decimal(str(value).strip() or "0").quantize(Decimal(1).scaleb(-places)))
    except (InvalidOperation, ValueError):
        raise Refused(f"Invalid amount: {value}") from None


def intval(value) -> int:
    """PHP's intval for the unsigned columns these fields live in: "1320.0" -> 1320, "abc" -> 0."""
    try:
        number = int(float(str(value).strip()))
    except (ValueError, OverflowError):
        return 0
    return min(max(number, 0), 2**63 - 1)


def store_value(resource: str, name: str, value):
    """A request value in the stored form: rows keep strings and "0"/"1", posts booleans."""
    if isinstance(value, list):
        return [str(intval(v)) for v in value] if name in ("valid_memberships", "authorized_memberships",
                                                           "authorized_members") else value
    kind = field_types(resource).get(name, "other")
    row = resource in ROWS
    if kind == "flag":
        return ("1" if truthy(value) else "0") if row else truthy(value)
    if kind == "decimal":
        return money(value, 3 if name == "tax_rate" else 2)
    if kind == "int":
        return str(intval(value))
    if kind == "datetime" or name in ("created_at", "expires_at"):
        return to_mysql(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def apply_changes(resource: str, obj: dict, body: dict, request: str) -> dict:
    """The fields of ``body`` that ``request`` accepts, written into ``obj`` in stored form."""
    accepted = accepted_fields(request)
    for name, value in body.items():
        if name in accepted and name not in NOT_STORED and value is not None:
            obj[name] = store_value(resource, name, value)
    if resource == "subscriptions" and obj.get("cc_exp_month") and len(str(obj["cc_exp_month"])) == 1:
        obj["cc_exp_month"] = "0" + str(obj["cc_exp_month"])   # MpdtSubscriptionsApi::before_create
    return obj


# -- posts -----------------------------------------------------------------------------------

def new_post(resource: str, post_id: int, author_id: int, body: dict, request: str, when: datetime) -> dict:
    stamp = mysql(when)
    post = {"id": post_id, **_copy(DEFAULTS[resource]), "date": stamp, "date_gmt": stamp,
            "modified": stamp, "modified_gmt": stamp, "author": str(author_id)}
    apply_changes(resource, post, body, request)
    if resource == "memberships":
        post.setdefault("title", "")
        if not post["pricing_title"]:
            post["pricing_title"] = post["title"]
    elif resource == "coupons":
        post.setdefault("coupon_code", "")
    elif resource == "rules":
        post.setdefault("title", "")
    return post


def touch(post: dict, when: datetime) -> dict:
    post["modified"] = post["modified_gmt"] = mysql(when)
    return post


def rule_title(rule: dict) -> str:
    """MeprRule auto-generated title: the rule type in words and its content."""
    words = rule["rule_type"].replace("_", " ").replace("||", " ").strip().capitalize()
    return f"{words}: {rule['rule_content']}" if rule.get("rule_content") else words


def _copy(d: dict) -> dict:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in d.items()}


# -- subscriptions and transactions ------------------------------------------------------------

def check_gateway(gateway) -> None:
    if gateway not in GATEWAYS:
        raise Refused(f"The payment method {gateway!r} is not configured on this site.")


def new_subscription(sub_id: int, body: dict, membership: dict | None, when: datetime, token: str) -> dict:
    row = {"id": str(sub_id), **_copy(SUBSCRIPTION_DEFAULTS), "created_at": mysql(when)}
    if membership:  # the membership's terms unless the request says otherwise
        for name in ("price", "period", "period_type", "limit_cycles_num", "limit_cycles_action",
                     "trial_days", "trial_amount"):
            row[name] = str(membership.get(name, row[name]))
        row["limit_cycles"] = "1" if truthy(membership.get("limit_cycles")) else "0"
        row["trial"] = "1" if truthy(membership.get("trial")) else "0"
    apply_changes("subscriptions", row, body, "subscription-create")
    if "total" not in body:
        row["total"] = money(Decimal(row["price"]) + Decimal(row["tax_amount"]))
    if not row["subscr_id"]:
        row["subscr_id"] = f"mp-sub-{token}"
    check_gateway(row["gateway"])
    return row


def new_transaction(txn_id: int, body: dict, when: datetime, token: str) -> dict:
    row = {"id": str(txn_id), **_copy(TRANSACTION_DEFAULTS), "created_at": mysql(when)}
    apply_changes("transactions", row, body, "transaction-create")
    if "total" not in body:
        row["total"] = money(Decimal(row["amount"]) + Decimal(row["tax_amount"]))
    if not row["trans_num"]:
        row["trans_num"] = f"mp-txn-{token}"
    check_gateway(row["gateway"])
    return row


def is_active(txn: dict, at: datetime) -> bool:
    if txn.get("status") not in ACTIVE_TXN:
        return False
    expires = parse_mysql(txn.get("expires_at"))
    return expires is None or expires > at


def is_expired(txn: dict, at: datetime) -> bool:
    expires = parse_mysql(txn.get("expires_at"))
    return txn.get("status") in ACTIVE_TXN and expires is not None and expires <= at


def payment_index(txn: dict, sub_txns: list[dict]):
    """1-based position among the subscription's payments (False for one-time payments)."""
    if str(txn.get("subscription", "0")) in ("0", "") or txn.get("txn_type") != "payment":
        return False
    payments = [t for t in sub_txns if t.get("txn_type") == "payment" and t.get("status") in ("complete", "refunded")]
    ids = sorted(int(t["id"]) for t in payments)
    return ids.index(int(txn["id"])) + 1 if int(txn["id"]) in ids else False


def refund(txn: dict) -> dict:
    """What MeprTransaction refund does to the row: the payment is marked refunded."""
    txn["status"] = "refunded"
    return txn


def cancel(sub: dict) -> dict:
    sub["status"] = "cancelled"
    return sub


def expire_txns(txns: list[dict], at: datetime) -> list[dict]:
    """MeprSubscription::expire_txns: every transaction of the subscription ends a second ago."""
    past = mysql(at - timedelta(seconds=1))
    for txn in txns:
        expires = parse_mysql(txn.get("expires_at"))
        if expires is None or expires > at:
            txn["expires_at"] = past
    return txns


# -- a member's activity, derived ------------------------------------------------------------

def member_activity(user_id: int, txns: list[dict], subs: list[dict], at: datetime) -> dict:
    """The member fields MeprUser computes from its transactions and subscriptions.

    Returns the raw rows and membership ids; the serializer expands them.
    """
    mine = sorted((t for t in txns if str(t.get("member")) == str(user_id)), key=lambda t: int(t["id"]))
    my_subs = sorted((s for s in subs if str(s.get("member")) == str(user_id)), key=lambda s: int(s["id"]))
    active = [t for t in mine if is_active(t, at)]
    membership_ids = []
    for txn in active:
        if txn["membership"] not in membership_ids:
            membership_ids.append(txn["membership"])
    trial_amount = {s["id"]: Decimal(str(s.get("trial_amount") or "0")) for s in my_subs if truthy(s.get("trial"))}
    trials = [t for t in active if str(t.get("subscription")) in trial_amount
              and Decimal(str(t.get("amount") or "0")) == trial_amount[str(t["subscription"])]]
    return {
        "active_membership_ids": membership_ids,
        "active_txn_count": str(len(active)),
        "expired_txn_count": str(sum(1 for t in mine if is_expired(t, at))),
        "trial_txn_count": str(len(trials)),
        "sub_count": str(sum(1 for s in my_subs if s.get("status") == "active")),
        "first_txn": mine[0] if mine else None,
        "latest_txn": mine[-1] if mine else None,
        "recent_transactions": list(reversed(mine))[:RECENT],
        "recent_subscriptions": list(reversed(my_subs))[:RECENT],
    }


# -- lists -----------------------------------------------------------------------------------

def sort_key(value):
    text = "" if value is None else str(value)
    try:
        return (0, Decimal(text), "")
    except InvalidOperation:
        return (1, Decimal(0), text.lower())


def order_rows(rows: list[dict], column: str | None, direction: str | None) -> list[dict]:
    column = column if column and any(column in r for r in rows) else "id"
    descending = (direction or "DESC").upper() != "ASC"
    return sorted(rows, key=lambda r: sort_key(r.get(column)), reverse=descending)


def matches_text(row: dict, needle: str, fields: tuple[str, ...]) -> bool:
    needle = needle.lower()
    return any(needle in str(row.get(f, "")).lower() for f in fields)
