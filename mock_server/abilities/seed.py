"""A fresh site's WooCommerce Memberships data: plans of every shape and memberships in every status.

Products, pages, posts and orders the plans and memberships point at take their ids from the
shared ``posts`` sequence (terms from ``terms``), so no id is shared with another object; products
are stored (kind ``wc_product``) for realism, the rest only reserve their ids.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mock_server.abilities import domain
from mock_server.seeding import moment_between

UTC = timezone.utc
# (name, status, access method, how many products, membership_length, rule kinds)
PLANS = [
    ("Gold Membership", "publish", "purchase", 2, {"type": "specific", "amount": 1, "period": "years"},
     ("content_page", "content_category", "product_view", "discount_percentage")),
    ("Silver Membership", "publish", "purchase", 1, {"type": "unlimited"},
     ("content_page", "discount_amount")),
    ("Community Access", "publish", "signup", 0, {"type": "specific", "amount": 30, "period": "days"},
     ("content_delayed",)),
    ("Summer Workshop {next_year}", "publish", "manual-only", 0,
     {"type": "fixed", "start_date": "{next_year}-06-01", "end_date": "{next_year}-08-31"}, ("product_purchase",)),
    ("Staff Preview", "draft", "manual-only", 0, {"type": "unlimited"}, ()),
]
# (member, plan index, status); members are "alice"/"bob"/"carol" or an index into the extra users.
MEMBERSHIPS = [
    ("alice", 0, "active"), ("alice", 2, "active"), ("bob", 1, "active"), ("bob", 0, "expired"),
    ("carol", 2, "cancelled"), ("carol", 3, "delayed"), (0, 0, "complimentary"), (1, 1, "paused"),
    (2, 0, "pending"), (3, 2, "active"), (4, 1, "expired"), (0, 1, "active"),
]
EXTRA_MEMBERS = 5


def seed(site, db, fake) -> None:
    store = site.store
    today = domain.now().replace(hour=0, minute=0, second=0, microsecond=0)
    pages = [store.next_id(db, domain.POSTS) for _ in range(4)]
    posts = [store.next_id(db, domain.POSTS) for _ in range(3)]
    terms = [store.next_id(db, "terms") for _ in range(2)]
    plans = []
    for index, (name, status, method, products, length, rules) in enumerate(PLANS):
        name = name.format(next_year=today.year + 1)  # a fixed-dates plan that has not started yet
        length = {k: v.format(next_year=today.year + 1) if isinstance(v, str) else v for k, v in length.items()}
        product_ids = [_product(site, db, fake, name, n) for n in range(products)]
        data = {
            "name": name, "status": status, "description": fake.paragraph(nb_sentences=2),
            "access": {"method": method, **({"product_ids": product_ids} if method == "purchase" else {})},
            "membership_length": length,
            "rules": _rules(rules, pages, posts, terms, product_ids),
        }
        created = moment_between(fake, 3 * 365, 365) + timedelta(days=index)
        plan = domain.build_plan(store.next_id(db, domain.POSTS), data, {p["slug"] for p in plans}, created)
        for rule in (r for group in plan["rules"].values() for r in group):
            rule["id"] = "rule_" + fake.hexify("^" * 13)
        plans.append(store.put(db, domain.PLAN, plan))
    members = {login: site.user_by("user_login", login) for login in ("alice", "bob", "carol")}
    for n in range(EXTRA_MEMBERS):
        first, last = fake.first_name(), fake.last_name()
        login = f"{first}.{last}{fake.random_int(1, 99)}".lower()
        members[n] = site.add_user(
            db, user_login=login, user_email=f"{login}@{fake.free_email_domain()}",
            display_name=f"{first} {last}", first_name=first, last_name=last, roles=["customer"],
            user_registered=moment_between(fake, 3 * 365, 365).strftime("%Y-%m-%d %H:%M:%S"))
    for who, plan_index, status in MEMBERSHIPS:
        plan = plans[plan_index]
        store.put(db, domain.MEMBERSHIP, _membership(site, db, fake, plan, members[who]["id"], status, today))


def _product(site, db, fake, plan_name: str, n: int) -> int:
    term = ("Annual", "Monthly")[n] if n < 2 else f"Option {n + 1}"
    product = {"id": site.store.next_id(db, domain.POSTS), "name": f"{plan_name} – {term}",
               "type": "simple", "status": "publish", "virtual": True,
               "price": f"{fake.random_int(5, 40) * (12 if term == 'Annual' else 1)}.00"}
    return site.store.put(db, domain.PRODUCT, product)["id"]


def _rules(kinds, pages, posts, terms, product_ids) -> dict:
    rules = {"content_restriction": [], "product_restriction": [], "purchasing_discount": []}
    for kind in kinds:
        if kind == "content_page":
            rules["content_restriction"].append({"content_type": "post_type", "content_type_name": "page",
                                                 "object_ids": pages[:2]})
        elif kind == "content_category":
            rules["content_restriction"].append({"content_type": "taxonomy", "content_type_name": "category",
                                                 "object_ids": terms[:1]})
        elif kind == "content_delayed":
            rules["content_restriction"].append({
                "content_type": "post_type", "content_type_name": "post", "object_ids": posts,
                "access_schedule": {"type": "delayed", "amount": 7, "period": "days"}})
        elif kind == "product_view":
            rules["product_restriction"].append({"content_type": "taxonomy", "content_type_name": "product_cat",
                                                 "object_ids": terms[1:], "access_type": "view"})
        elif kind == "product_purchase":
            rules["product_restriction"].append({"content_type": "post_type", "content_type_name": "product",
                                                 "object_ids": [], "access_type": "purchase",
                                                 "access_schedule": {"type": "delayed", "amount": 2,
                                                                     "period": "weeks"}})
        elif kind == "discount_percentage":
            rules["purchasing_discount"].append({"content_type": "post_type", "content_type_name": "product",
                                                 "object_ids": [], "active": True, "discount_type": "percentage",
                                                 "discount_amount": "15"})
        elif kind == "discount_amount":
            rules["purchasing_discount"].append({"content_type": "post_type", "content_type_name": "product",
                                                 "object_ids": product_ids, "active": True,
                                                 "discount_type": "amount", "discount_amount": "5"})
    return rules


def _membership(site, db, fake, plan: dict, user_id: int, status: str, today: datetime) -> dict:
    length = plan["membership_length"]
    if status == "expired":
        start = moment_between(fake, 3 * 365, 2 * 365)
    elif status == "delayed":
        start = datetime.fromisoformat(length["start_date"]) if length["type"] == "fixed" \
            else today + timedelta(days=fake.random_int(3, 30))
    else:
        start = moment_between(fake, 300, 2)
    start = start.replace(microsecond=0)
    if length["type"] == "specific":
        end = domain.add_period(start, int(length["amount"]), length["period"])
        if status != "expired" and end <= today:  # keep "has access" statuses consistent with their dates
            start = today - timedelta(days=fake.random_int(1, 10))
            end = domain.add_period(start, int(length["amount"]), length["period"])
    elif length["type"] == "fixed":
        end = datetime.fromisoformat(length["end_date"])
    else:
        end = None
    if status == "expired" and end is None:
        end = start + timedelta(days=365)
    cancelled = paused = None
    if status == "cancelled":
        cancelled = domain.iso(start + timedelta(days=fake.random_int(5, 25)))
        end = None if length["type"] == "unlimited" else end
    if status == "paused":
        paused = domain.iso(today - timedelta(days=fake.random_int(1, 20)))
    purchased = plan["access"]["method"] == "purchase" and status != "complimentary"
    return {
        "id": site.store.next_id(db, domain.POSTS),
        "plan_id": plan["id"],
        "user_id": user_id,
        "status": status,
        "start_date": domain.iso(start),
        "end_date": domain.iso(end) if end else None,
        "cancelled_date": cancelled,
        "paused_date": paused,
        "order_id": site.store.next_id(db, domain.POSTS) if purchased else None,
        "product_id": plan["access"]["product_ids"][0] if purchased else None,
        "_date": domain.mysql(start),
    }
