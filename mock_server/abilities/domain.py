"""What WooCommerce Memberships does when an ability runs: plans and user memberships as posts.

Plans are kind ``wc_plan``, user memberships kind ``wc_user_membership``; both take their ids from
the shared ``posts`` sequence. A stored object is the serialized form the plugin sends plus
private ``_``-prefixed keys (post dates) that ``public`` strips.
"""
from __future__ import annotations

import calendar
import math
import re
import secrets
import unicodedata
from datetime import datetime, timedelta, timezone

from membermock import contracts
from mock_server import clock

PLAN = "wc_plan"
MEMBERSHIP = "wc_user_membership"
PRODUCT = "wc_product"
POSTS = "posts"

# Statuses that still give access (wc_memberships()->get_user_memberships_instance()
# ->get_active_access_membership_statuses(), minus free_trial which the serializer never shows).
ACTIVE_ACCESS = ("active", "complimentary", "pending")
# Post statuses WP_Query's post_status=any leaves out.
NOT_ANY = ("trash", "auto-draft")


class PluginError(Exception):
    """A WP_Error the ability returns: code, message, HTTP status."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def now() -> datetime:
    return clock.now()


def iso(moment: datetime) -> str:
    """PHP's date('c')."""
    moment = moment.astimezone(timezone.utc)  # %Y is not zero-padded below year 1000 (glibc); PHP's is
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S+00:00")


def mysql(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return f"{moment.year:04d}" + moment.strftime("-%m-%d %H:%M:%S")


def add_period(start: datetime, amount: int, period: str) -> datetime:
    if period == "days":
        return start + timedelta(days=amount)
    if period == "weeks":
        return start + timedelta(weeks=amount)
    months = amount * (12 if period == "years" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def sanitize_title(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "plan"


def rule_id() -> str:
    """'rule_' and a uniqid()-like 13 hex digits."""
    return "rule_" + secrets.token_hex(7)[:13]


# -- plans ----------------------------------------------------------------------------------

def _find(site, kind: str, id_) -> dict | None:
    return site.store.get(kind, int(id_))  # the store answers None past SQLite's range


def get_plan(site, plan_id) -> dict:
    plan = _find(site, PLAN, plan_id)
    if plan is None:
        raise PluginError("plan_not_found", "Membership plan not found.", 404)
    return plan


def build_plan(plan_id: int, data: dict, slugs: set[str], created: datetime) -> dict:
    """The stored plan for create-plan input (already checked against the input schema)."""
    slug = unique_slug(data.get("slug") or sanitize_title(data["name"]), slugs)
    access = dict(data.get("access") or {})
    access.setdefault("method", "manual-only")
    if access["method"] != "purchase":
        access.pop("product_ids", None)
    else:
        access["product_ids"] = [absint(i) for i in access["product_ids"]]
    length = membership_length(data.get("membership_length") or {})
    rules = data.get("rules") or {}
    return {
        "id": plan_id,
        "name": data["name"],
        "slug": slug,
        "status": data.get("status", "publish"),
        "description": data.get("description", ""),
        "access": access,
        "membership_length": length,
        "rules": {
            "content_restriction": [restriction_rule(r) for r in rules.get("content_restriction", [])],
            "product_restriction": [restriction_rule(r, product=True) for r in rules.get("product_restriction", [])],
            "purchasing_discount": [discount_rule(r) for r in rules.get("purchasing_discount", [])],
        },
        "_date": mysql(created),
        "_modified": mysql(created),
    }


def unique_slug(slug: str, taken: set[str]) -> str:
    """wp_unique_post_slug: append -2, -3, ... until free."""
    if slug not in taken:
        return slug
    n = 2
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def absint(value) -> int:
    """WordPress's absint()."""
    return abs(int(value))


def membership_length(data: dict) -> dict:
    kind = data.get("type", "unlimited")
    if kind == "specific":
        return {"type": kind, "amount": absint(data["amount"]), "period": data["period"]}
    if kind == "fixed":
        start, end = _day(data["start_date"]), _day(data["end_date"])
        if end < start:
            raise PluginError("invalid_input", "A fixed membership length must end after it starts.", 422)
        return {"type": kind, "start_date": start, "end_date": end}
    return {"type": "unlimited"}


def _day(text: str) -> str:
    return iso(datetime.strptime(text[:10], "%Y-%m-%d").replace(tzinfo=timezone.utc))


def _schedule(data: dict | None) -> dict:
    data = data or {"type": "immediate"}
    if data.get("type") == "delayed":
        return {"type": "delayed", "amount": absint(data.get("amount", 0)), "period": data.get("period", "days")}
    return {"type": "immediate"}


def _rule_base(data: dict) -> dict:
    return {"id": rule_id(), "content_type": data["content_type"],
            "content_type_name": data["content_type_name"],
            "object_ids": [absint(i) for i in data["object_ids"]]}


def restriction_rule(data: dict, product: bool = False) -> dict:
    rule = {**_rule_base(data), "access_schedule": _schedule(data.get("access_schedule"))}
    if product:
        rule["access_type"] = data.get("access_type", "view")
    return rule


def discount_rule(data: dict) -> dict:
    amount = data["discount_amount"]
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", str(amount)) or not math.isfinite(float(amount)):
        raise PluginError("invalid_input", "A discount amount must be a number.", 422)
    return {**_rule_base(data), "active": bool(data["active"]), "discount_type": data["discount_type"],
            "discount_amount": data["discount_amount"]}


def create_plan(site, data: dict) -> dict:
    if any(r.get("access_type") not in ("view", "purchase")
           for r in (data.get("rules") or {}).get("product_restriction", [])):
        raise PluginError("invalid_input", "A product restriction rule's access_type is view or purchase.", 422)
    with site.store.transaction() as db:
        slugs = {p["slug"] for p in site.store.all(PLAN)}
        plan = build_plan(site.store.next_id(db, POSTS), data, slugs, now())
        site.store.put(db, PLAN, plan)
    return plan


def plan_defaults() -> dict:
    """The defaults the plan query applies, as the ability's input schema states them."""
    props = contracts.schema("wc.abilities.plans-list-input").get("properties", {})
    return {name: spec["default"] for name, spec in props.items() if "default" in spec}


_ORDERBY = {"id": "id", "ID": "id", "title": "name", "name": "slug", "date": "_date", "modified": "_modified",
            "post_title": "name", "post_name": "slug", "post_date": "_date", "post_modified": "_modified"}


def list_plans(site, args: dict) -> list[dict]:
    """The plugin passes the input to get_posts() for its plan post type."""
    args = {**plan_defaults(), **(args or {})}
    plans = site.store.all(PLAN)
    statuses = args.get("post_status")
    if isinstance(statuses, str):
        statuses = [s.strip() for s in statuses.split(",") if s.strip()]
    if statuses and "any" not in statuses:
        plans = [p for p in plans if p["status"] in statuses]
    elif statuses:
        plans = [p for p in plans if p["status"] not in NOT_ANY]
    if args.get("post__in"):
        wanted = {int(i) for i in args["post__in"]}
        plans = [p for p in plans if p["id"] in wanted]
    if args.get("post__not_in"):
        unwanted = {int(i) for i in args["post__not_in"]}
        plans = [p for p in plans if p["id"] not in unwanted]
    if args.get("post_name__in"):
        plans = [p for p in plans if p["slug"] in set(args["post_name__in"])]
    key = _ORDERBY.get(str(args.get("orderby") or "date"), "_date")
    descending = str(args.get("order") or "DESC").upper() != "ASC"
    plans.sort(key=lambda p: (p.get(key) or "", p["id"]) if key != "id" else p["id"], reverse=descending)
    per_page = int(args.get("posts_per_page", -1))
    if per_page < 0:
        return plans
    offset = int(args["offset"]) if args.get("offset") is not None else (int(args.get("paged") or 1) - 1) * per_page
    offset = max(offset, 0)
    return plans[offset:offset + per_page]


def delete_plan(site, plan_id: int) -> dict:
    """Deletes the plan, refusing while members still have access; its other memberships go with it."""
    with site.store.transaction() as db:
        plan = get_plan(site, plan_id)
        members = [m for m in site.store.all(MEMBERSHIP) if m["plan_id"] == plan["id"]]
        if any(m["status"] in ACTIVE_ACCESS for m in members):
            raise PluginError("plan_not_deletable",
                              "This membership plan still has members with access and cannot be deleted.", 409)
        for membership in members:
            site.store.delete(db, MEMBERSHIP, membership["id"])
        site.store.delete(db, PLAN, plan["id"])
    return plan


# -- user memberships -----------------------------------------------------------------------

def get_membership(site, membership_id) -> dict:
    membership = _find(site, MEMBERSHIP, membership_id)
    if membership is None:
        raise PluginError("membership_not_found", "User membership not found.", 404)
    return membership


def membership_dates(plan: dict, start: datetime) -> tuple[str, str | None, str]:
    """(start_date, end_date, status) of a new membership in ``plan`` starting at ``start``."""
    length = plan["membership_length"]
    if length["type"] == "fixed":
        begins, ends = datetime.fromisoformat(length["start_date"]), datetime.fromisoformat(length["end_date"])
        status = "delayed" if begins > start else "expired" if ends <= start else "active"
        return iso(max(begins, start)), length["end_date"], status
    if length["type"] == "specific":
        return iso(start), iso(add_period(start, int(length["amount"]), length["period"])), "active"
    return iso(start), None, "active"


def create_membership(site, data: dict) -> dict:
    with site.store.transaction() as db:
        plan = _find(site, PLAN, data["plan_id"])
        if plan is None:
            raise PluginError("create_failed", f"Membership plan {data['plan_id']} does not exist.", 404)
        if site.user(data["user_id"]) is None:
            raise PluginError("create_failed", f"User {data['user_id']} does not exist.", 404)
        if any(m["user_id"] == int(data["user_id"]) and m["plan_id"] == plan["id"]
               for m in site.store.all(MEMBERSHIP)):
            raise PluginError("create_failed", "This user is already a member of this plan.", 400)
        started = now()
        try:
            start, end, status = membership_dates(plan, started)
        except (OverflowError, ValueError):
            raise PluginError("create_failed", "The membership's end date is out of range.", 400) from None
        membership = {
            "id": site.store.next_id(db, POSTS),
            "plan_id": plan["id"],
            "user_id": int(data["user_id"]),
            "status": status,
            "start_date": start,
            "end_date": end,
            "cancelled_date": None,
            "paused_date": None,
            "order_id": absint(data["order_id"]) if data.get("order_id") else None,
            "product_id": absint(data["product_id"]) if data.get("product_id") else None,
            "_date": mysql(started),
        }
        site.store.put(db, MEMBERSHIP, membership)
    return membership


def membership_status_default() -> str:
    props = contracts.schema("wc.abilities.user-memberships-list-input").get("properties", {})
    return props.get("status", {}).get("default", "any")


def list_memberships(site, args: dict) -> list[dict]:
    """get_user_memberships($user_id, ['status' => ...]): newest first; statuses with or without wcm-."""
    user_id = int(args["user_id"])
    status = args.get("status", membership_status_default())
    wanted = [status] if isinstance(status, str) else list(status)
    wanted = {s[4:] if s.startswith("wcm-") else s for s in wanted}
    found = [m for m in site.store.all(MEMBERSHIP) if m["user_id"] == user_id
             and ("any" in wanted or m["status"] in wanted)]
    found.sort(key=lambda m: (m.get("_date", ""), m["id"]), reverse=True)
    return found


def delete_membership(site, membership_id: int) -> dict:
    with site.store.transaction() as db:
        membership = get_membership(site, membership_id)
        site.store.delete(db, MEMBERSHIP, membership["id"])
    return membership
