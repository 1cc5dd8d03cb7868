"""PMPro's data and rules: levels, members' levels, orders, discount codes, content restrictions.

Objects are stored the way PMPro's tables hold them; the ``*_view`` functions shape them the
way each PMPro function hands them out (raw ``$wpdb`` rows are strings, some prices rounded).
"""
from __future__ import annotations

import calendar
import secrets
from datetime import datetime, timedelta

from mock_server import clock
from mock_server.pmpro.php import digits, floatval, intval, number, price, round_price

LEVEL = "pmpro_level"
MEMBERSHIP = "pmpro_membership"          # rows of pmpro_memberships_users
ORDER = "pmpro_order"
CODE = "pmpro_discount_code"
CODE_USE = "pmpro_discount_code_use"
POST = "pmpro_post"                      # WordPress posts/pages PMPro can restrict
RESTRICTION = "pmpro_restriction"        # pmpro_memberships_pages, one object per post id

SEQ_LEVELS = "pmpro_membership_levels"
SEQ_MEMBERSHIPS = "pmpro_memberships_users"
SEQ_ORDERS = "pmpro_membership_orders"
SEQ_CODES = "pmpro_discount_codes"
SEQ_CODE_USES = "pmpro_discount_codes_uses"

PRICE_FIELDS = ("initial_payment", "billing_amount", "trial_amount")
PRICING_FIELDS = ("initial_payment", "billing_amount", "cycle_number", "cycle_period", "billing_limit",
                  "trial_amount", "trial_limit", "expiration_number", "expiration_period")


def now() -> datetime:
    return clock.now()


def mysql(moment: datetime) -> str:
    # strftime's %Y is not zero-padded below year 1000 here; MySQL's DATETIME always is.
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")


def unix(value: str | None) -> int | None:
    if not value or value.startswith("0000"):
        return None
    return calendar.timegm(datetime.strptime(value, "%Y-%m-%d %H:%M:%S").timetuple())


def _str(value) -> str:
    return "" if value is None else str(value)


# -- posts and restrictions -------------------------------------------------------------

def post(site, post_id):
    post_id = intval(post_id)
    return site.store.get(POST, post_id) if post_id > 0 else None


def restriction_ids(site, post_id: int) -> list[int]:
    row = site.store.get(RESTRICTION, post_id) if post_id > 0 else None
    return list(row["level_ids"]) if row else []


def set_restrictions(site, db, post_id: int, level_ids: list[int]) -> None:
    """pmpro_update_post_level_restrictions: the list replaces whatever was there."""
    if level_ids:
        site.store.put(db, RESTRICTION, {"id": post_id, "level_ids": list(dict.fromkeys(level_ids))})
    else:
        site.store.delete(db, RESTRICTION, post_id)


def has_access(site, post_id: int, user_id: int) -> bool:
    """pmpro_has_membership_access: an open post is readable; a restricted one needs one of its levels."""
    wanted = restriction_ids(site, post_id)
    if not wanted:
        return True
    held = {int(m["membership_id"]) for m in active_memberships(site, user_id)}
    return bool(held & set(wanted))


# -- levels -----------------------------------------------------------------------------

def level(site, level_id) -> dict | None:
    level_id = intval(level_id)
    return site.store.get(LEVEL, level_id) if level_id > 0 else None


def levels(site) -> list[dict]:
    return site.store.all(LEVEL)


def level_row(lv: dict) -> dict:
    """A row of pmpro_membership_levels as $wpdb returns it: every column a string."""
    return {
        "id": str(lv["id"]),
        "name": lv["name"],
        "description": lv["description"],
        "confirmation": lv["confirmation"],
        "initial_payment": price(lv["initial_payment"]),
        "billing_amount": price(lv["billing_amount"]),
        "cycle_number": _str(lv["cycle_number"]),
        "cycle_period": lv["cycle_period"],
        "billing_limit": _str(lv["billing_limit"]),
        "trial_amount": price(lv["trial_amount"]),
        "trial_limit": _str(lv["trial_limit"]),
        "allow_signups": _str(lv["allow_signups"]),
        "expiration_number": _str(lv["expiration_number"]),
        "expiration_period": lv["expiration_period"],
    }


def level_object(lv: dict) -> dict:
    """PMPro_Membership_Level loaded from the table: ID, the row, and its category ids."""
    return {"ID": str(lv["id"]), **level_row(lv), "categories": [int(c) for c in lv.get("categories", [])]}


def all_levels_row(lv: dict) -> dict:
    """pmpro_getAllLevels: the raw row with prices run through pmpro_round_price."""
    row = level_row(lv)
    for name in PRICE_FIELDS:
        row[name] = round_price(row[name])
    return row


def new_level(site, db, fields: dict) -> dict:
    lv = {"id": site.store.next_id(db, SEQ_LEVELS), "name": "", "description": "", "confirmation": "",
          "initial_payment": 0, "billing_amount": 0, "cycle_number": 0, "cycle_period": "",
          "billing_limit": 0, "trial_amount": 0, "trial_limit": 0, "allow_signups": 0,
          "expiration_number": 0, "expiration_period": "", "categories": []}
    lv.update(fields)
    for name in PRICE_FIELDS:  # stored as the DECIMAL column keeps them
        lv[name] = price(lv[name])
    return site.store.put(db, LEVEL, lv)


def delete_level(site, db, level_id: int) -> bool:
    """PMPro_Membership_Level::delete: the level goes, its members lose it (status inactive)."""
    if not site.store.delete(db, LEVEL, level_id):
        return False
    for row in site.store.all(MEMBERSHIP):
        if int(row["membership_id"]) == level_id and row["status"] == "active":
            _end(site, db, row, "inactive")
    return True


# -- members' levels --------------------------------------------------------------------

def memberships(site, user_id: int) -> list[dict]:
    return [m for m in site.store.all(MEMBERSHIP) if int(m["user_id"]) == int(user_id)]


def active_memberships(site, user_id: int) -> list[dict]:
    return [m for m in memberships(site, user_id) if m["status"] == "active"]


def holds(site, user, level_id) -> bool:
    """pmpro_hasMembershipLevel for the current user (anonymous holds nothing)."""
    if not user:
        return False
    return any(int(m["membership_id"]) == intval(level_id) for m in active_memberships(site, user["id"]))


def user_level_view(site, row: dict) -> dict | None:
    """A level joined with the member's row, as pmpro_getMembershipLevel(s)ForUser build it."""
    lv = level(site, row["membership_id"])
    if lv is None:
        return None
    base = level_row(lv)
    view = {"ID": base["id"], "id": base["id"], "subscription_id": str(row["id"]),
            "name": base["name"], "description": base["description"], "confirmation": base["confirmation"],
            "expiration_number": base["expiration_number"], "expiration_period": base["expiration_period"],
            "allow_signups": base["allow_signups"]}
    for name in ("initial_payment", "billing_amount", "cycle_number", "cycle_period", "billing_limit",
                 "trial_amount", "trial_limit"):
        view[name] = round_price(row[name]) if name in PRICE_FIELDS else _str(row[name])
    view["code_id"] = str(row.get("code_id") or 0)
    view["startdate"] = str(unix(row["startdate"]))
    end = unix(row.get("enddate"))
    view["enddate"] = None if end is None else str(end)
    return view


def user_levels(site, user_id: int) -> list[dict]:
    """pmpro_getMembershipLevelsForUser: the same rows, each with its membership status too."""
    out = []
    for row in active_memberships(site, user_id):
        view = user_level_view(site, row)
        if view is not None:
            code_id = view.pop("code_id")
            out.append({**view, "status": row["status"], "code_id": code_id,
                        "startdate": view.pop("startdate"), "enddate": view.pop("enddate")})
    return out


def _end(site, db, row: dict, status: str) -> None:
    moment = mysql(now())
    row.update(status=status, enddate=moment, modified=moment)
    site.store.put(db, MEMBERSHIP, row)


def _enddate(lv: dict, start: datetime) -> str | None:
    number, period = intval(lv["expiration_number"]), lv["expiration_period"]
    days = {"Hour": 1 / 24, "Day": 1, "Week": 7, "Month": 30, "Year": 365}.get(period)
    if number <= 0 or days is None:  # no period, or the "0" an update stores
        return None
    return mysql(start + timedelta(days=days * number))


def add_membership(site, db, user_id: int, lv: dict, start: datetime | None = None, code_id: int = 0,
                   pricing: dict | None = None, status: str = "active", enddate: str | None = None) -> dict:
    start = start or now()
    pricing = pricing or lv
    row = {"id": site.store.next_id(db, SEQ_MEMBERSHIPS), "user_id": int(user_id), "membership_id": int(lv["id"]),
           "code_id": int(code_id),
           **{name: price(pricing[name]) for name in PRICE_FIELDS},
           **{name: intval(pricing[name]) for name in ("cycle_number", "billing_limit", "trial_limit")},
           # pmpro_changeMembershipLevel writes 0 for an empty period ("a proper enum value")
           "cycle_period": pricing["cycle_period"] or "0",
           "status": status, "startdate": mysql(start),
           "enddate": enddate if enddate is not None or status != "active" else _enddate(pricing, start),
           "modified": mysql(start)}
    return site.store.put(db, MEMBERSHIP, row)


def change_level(site, db, user_id: int, level_id: int):
    """pmpro_changeMembershipLevel: true when changed, false for an unknown level, None when nothing changes.

    Level 0 ends every active level; another level replaces the member's current one (all levels
    share PMPro's default level group, where a member holds one level at a time)."""
    current = active_memberships(site, user_id)
    if level_id == 0:
        if not current:
            return None
        for row in current:
            _end(site, db, row, "inactive")
        return True
    lv = level(site, level_id)
    if lv is None:
        return False
    if any(int(m["membership_id"]) == level_id for m in current):
        return None
    for row in current:
        _end(site, db, row, "changed")
    add_membership(site, db, user_id, lv)
    return True


def cancel_level(site, db, user_id: int, level_id: int) -> bool:
    """pmpro_cancelMembershipLevel(level, user, 'inactive'): false when the user does not hold it."""
    rows = [m for m in active_memberships(site, user_id) if int(m["membership_id"]) == level_id]
    for row in rows:
        _end(site, db, row, "inactive")
    return bool(rows)


# -- orders -----------------------------------------------------------------------------

def order_code() -> str:
    """MemberOrder::getRandomCode: ten uppercase hex characters."""
    return secrets.token_hex(5).upper()


def order_by_code(site, code: str) -> dict | None:
    """new MemberOrder($code): an all-digit value is an order id, anything else a code."""
    if not code:
        return None
    if digits(code):
        return site.store.get(ORDER, intval(code))
    return next((o for o in site.store.all(ORDER) if o["code"] == code), None)


ORDER_FIELDS = ("id", "code", "user_id", "membership_id", "billing", "subtotal", "tax", "total", "payment_type",
                "cardtype", "accountnumber", "expirationmonth", "expirationyear", "status", "gateway",
                "gateway_environment", "payment_transaction_id", "subscription_transaction_id", "timestamp",
                "affiliate_id", "affiliate_subid", "notes", "checkout_id")


def order_view(order: dict) -> dict:
    """The fields the order route copies out of MemberOrder, typed as getMemberOrderByID leaves them."""
    view = {name: order.get(name, "") for name in ORDER_FIELDS}
    for name in ("id", "user_id", "membership_id", "checkout_id"):
        view[name] = str(order.get(name) or 0)
    view["tax"] = number(floatval(order["tax"]))
    view["timestamp"] = unix(order["timestamp"]) or 0
    view["billing"] = dict(order["billing"])
    return view


# -- discount codes ---------------------------------------------------------------------

def code_by_text(site, code: str) -> dict | None:
    """new PMPro_Discount_Code($code): all digits look up an id, else the code text."""
    if not code:
        return None
    if digits(code):
        return site.store.get(CODE, intval(code))
    return next((c for c in site.store.all(CODE) if c["code"] == code), None)


def pricing_view(p: dict) -> dict:
    """A pmpro_discount_codes_levels row (strings) plus the class's custom_trial 0."""
    return {"initial_payment": price(p["initial_payment"]), "billing_amount": price(p["billing_amount"]),
            "cycle_number": _str(p["cycle_number"]), "cycle_period": p["cycle_period"],
            "billing_limit": _str(p["billing_limit"]), "custom_trial": 0,
            "trial_amount": price(p["trial_amount"]), "trial_limit": _str(p["trial_limit"]),
            "expiration_number": _str(p["expiration_number"]), "expiration_period": p["expiration_period"]}


def code_view(code: dict) -> dict:
    levels_by_id = {str(k): pricing_view(v) for k, v in sorted(code["levels"].items(), key=lambda kv: int(kv[0]))}
    return {"id": str(code["id"]), "code": code["code"], "starts": code["starts"], "expires": code["expires"],
            "uses": str(code["uses"]), "levels": levels_by_id or []}


def store_pricing(entry: dict) -> dict:
    """What MySQL keeps of one level's pricing: numbers in numeric columns, periods in the enum."""
    period = entry.get("cycle_period")
    expiration = entry.get("expiration_period")
    return {
        **{name: price(entry.get(name)) for name in PRICE_FIELDS},
        **{name: max(intval(entry.get(name)), 0) for name in ("cycle_number", "billing_limit", "trial_limit",
                                                               "expiration_number")},
        "cycle_period": period if period in ("Day", "Week", "Month", "Year") else "",
        "expiration_period": expiration if expiration in ("Hour", "Day", "Week", "Month", "Year") else "",
    }


def random_code() -> str:
    """pmpro_getDiscountCode: a random uppercase code."""
    return secrets.token_hex(5).upper()


def code_usable(site, code: dict, level_id: int, today: str | None = None) -> bool:
    """pmpro_checkDiscountCode: started, not expired, uses left, and it covers the level."""
    today = today or now().strftime("%Y-%m-%d")
    if code["starts"] and code["starts"] > today:
        return False
    if code["expires"] and code["expires"] < today:
        return False
    uses = intval(code["uses"])
    if uses > 0 and sum(1 for u in site.store.all(CODE_USE) if int(u["code_id"]) == int(code["id"])) >= uses:
        return False
    return str(level_id) in code["levels"]


def checkout_level(site, level_id: int, code_text: str | None) -> dict | None:
    """pmpro_getLevelAtCheckout: the level row, priced by a usable code's row for that level.

    An unusable code is ignored; a missing level or one closed to sign-ups gives None."""
    lv = level(site, level_id)
    if lv is None or not intval(lv["allow_signups"]):
        return None
    row = level_row(lv)
    code = code_by_text(site, code_text) if code_text and not digits(code_text) else None
    if code and code_usable(site, code, level_id):
        pricing = pricing_view(code["levels"][str(level_id)])
        pricing.pop("custom_trial")
        row.update(pricing)
        row.update(level_id=str(level_id), code_id=str(code["id"]), discount_code=code["code"])
    return row


# -- the automation routes (recent memberships and orders) -------------------------------

def iso8601(value: str) -> str:
    """pmpro_format_date_iso8601 on a MySQL datetime of a UTC site."""
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%S+00:00")
    except (TypeError, ValueError):
        return value


def _user_columns(site, user_id) -> dict:
    user = site.user(user_id)
    return {"user_email": user.get("user_email") if user else None,
            "user_nicename": user.get("user_nicename") if user else None,
            "first_name": user.get("first_name", "") if user else None,
            "last_name": user.get("last_name", "") if user else None}


def recent_memberships(site, statuses: list[str], limit: int) -> list[dict]:
    """The newest membership rows in these statuses, joined with user and level; only the first
    row's modified is rewritten as ISO 8601, as the route does."""
    if limit <= 0:
        return []
    rows = sorted((m for m in site.store.all(MEMBERSHIP) if m["status"] in statuses),
                  key=lambda m: (m.get("modified") or "", m["id"]), reverse=True)[:limit]
    out = []
    for m in rows:
        lv = level(site, m["membership_id"])
        out.append({"id": str(m["user_id"]), **_user_columns(site, m["user_id"]),
                    "membership_id": str(m["membership_id"]), "membership_name": lv["name"] if lv else None,
                    "status": m["status"], "modified": m.get("modified") or m["startdate"]})
    if out:
        out[0]["modified"] = iso8601(out[0]["modified"])
    return out


def recent_orders(site, limit: int) -> list[dict]:
    """The newest orders joined with their user; the first row's timestamp as ISO 8601."""
    if limit <= 0:
        return []
    orders = sorted(site.store.all(ORDER), key=lambda o: (o["timestamp"], o["id"]), reverse=True)[:limit]
    out = []
    for o in orders:
        user = site.user(o["user_id"])
        billing = o.get("billing") or {}
        out.append({"id": str(o["id"]), "code": o["code"], "user_id": str(user["id"]) if user else None,
                    **_user_columns(site, o["user_id"]), "membership_id": str(o["membership_id"]),
                    **{f"billing_{f}": str(billing.get(f, "")) for f in ("name", "street", "city", "state", "zip",
                                                                         "country", "phone")},
                    "subtotal": str(o["subtotal"]), "tax": str(o["tax"]), "total": str(o["total"]),
                    "status": o["status"], "gateway": o["gateway"], "gateway_environment": o["gateway_environment"],
                    "timestamp": o["timestamp"]})
    if out:
        out[0]["timestamp"] = iso8601(out[0]["timestamp"])
    return out


def default_level_id(site) -> int:
    """pmpro_getLevelAtCheckout with no level: the lowest id among levels open to sign-ups."""
    open_ids = [int(lv["id"]) for lv in levels(site) if intval(lv["allow_signups"])]
    return min(open_ids) if open_ids else 0


# -- the e-mail log ---------------------------------------------------------------------

EMAIL_LOG = "pmpro_email_log"
SEQ_EMAIL_LOG = "pmpro_email_log"


def email_log(site, log_id: int) -> dict | None:
    return site.store.get(EMAIL_LOG, log_id) if log_id > 0 else None
