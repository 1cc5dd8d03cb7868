"""WooCommerce Memberships in scenario files: products, plans and user memberships, written the way
the abilities answer with them (``wc.plan``, ``wc.user-membership``); a plan or membership left
partial is completed the way the create abilities would complete it."""
from __future__ import annotations

from mock_server.abilities import domain
from mock_server.scenarios import Collection

PRIVATE = ("_key",)


def _product(site, db, fields: dict, id_: int) -> dict:
    product = {"id": id_, "name": f"Product {id_}", "type": "simple", "status": "publish", "virtual": True,
               "price": "0.00"}
    product.update({k: v for k, v in fields.items() if k not in PRIVATE})
    return product


def _plan(site, db, fields: dict, id_: int) -> dict:
    given = {k: v for k, v in fields.items() if k not in PRIVATE}
    slugs = {p["slug"] for p in site.store.all(domain.PLAN) if p["id"] != id_}
    built = domain.build_plan(id_, {"name": f"Plan {id_}", **given}, slugs, domain.now())
    return {**built, **given}


def _membership(site, db, fields: dict, id_: int) -> dict:
    plan = site.store.get(domain.PLAN, int(fields.get("plan_id") or 0))
    if plan is None:
        raise ValueError(f"plan_id {fields.get('plan_id')!r} is not a plan")
    start = domain.now()
    length = plan["membership_length"]
    if length["type"] == "specific":
        end = domain.iso(domain.add_period(start, int(length["amount"]), length["period"]))
    elif length["type"] == "fixed":
        end = length["end_date"]
    else:
        end = None
    membership = {"id": id_, "plan_id": plan["id"], "user_id": 0, "status": "active", "start_date": domain.iso(start),
                  "end_date": end, "cancelled_date": None, "paused_date": None, "order_id": None,
                  "product_id": None, "_date": domain.mysql(start)}
    membership.update({k: v for k, v in fields.items() if k not in PRIVATE})
    return membership


COLLECTIONS = [
    Collection("products", domain.PRODUCT, control_schema="Product", sequence=domain.POSTS, build=_product),
    Collection("plans", domain.PLAN, "wc.plan", sequence=domain.POSTS,
               refs={"access.product_ids": "wc_memberships.products"}, build=_plan, symbol=lambda p: p["slug"]),
    Collection("user_memberships", domain.MEMBERSHIP, "wc.user-membership", sequence=domain.POSTS,
               refs={"plan_id": "wc_memberships.plans", "user_id": "users", "product_id": "wc_memberships.products"},
               build=_membership),
]
