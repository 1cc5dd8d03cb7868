"""A MemberPress site with history: groups, memberships, members with addresses and profiles,
recurring subscriptions with several payments, one-time purchases, refunds, failures, coupons, rules,
reminders, and the event log all of that would have written.

Everything comes from the seeded Faker in a fixed order; dates are relative to the day of seeding
(so that some memberships are active and some have lapsed whenever the site is seeded).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.memberpress import domain, events
from mock_server.memberpress.domain import KIND, MEMBER_DATA, SEQUENCE

GROUPS = [("Individual Plans", True), ("Teams", False)]
LATER_GROUPS = [("Workshops", False)]   # a group with no memberships yet
# title, group index (None: no group), price, period, period_type, trial days, trial amount, gateway
MEMBERSHIPS = [
    ("Bronze", 0, "9.00", "1", "months", 0, "0.00"),
    ("Silver", 0, "19.00", "1", "months", 7, "1.00"),
    ("Gold", 0, "199.00", "1", "years", 0, "0.00"),
    ("Lifetime Course Access", None, "149.00", "1", "lifetime", 0, "0.00"),
    ("Team Starter", 1, "49.00", "3", "months", 0, "0.00"),
    ("Team Annual", 1, "499.00", "1", "years", 14, "0.00"),
]
PERIOD_DAYS = {"weeks": 7, "months": 30, "years": 365}
# trigger_length, trigger_interval, trigger_timing, trigger_event, membership indexes (empty: all), enabled
REMINDERS = [
    ("3", "days", "before", "sub-expires", [], True),
    ("1", "weeks", "before", "sub-renews", [0, 1, 2], True),
    ("1", "days", "after", "member-signup", [], True),
    ("2", "days", "before", "sub-trial-ends", [1], True),
    ("1", "months", "before", "cc-expires", [], False),
]
MEMBERS = 22               # created besides alice, bob and carol


def _stamp(moment: datetime) -> str:
    return domain.mysql(moment)


def seed(site, db, fake) -> None:
    store = site.store
    anchor = datetime.combine(domain.now().date(), datetime.min.time()) + timedelta(hours=12)
    admin = site.user_by("user_login", "admin")
    author = str(admin["id"]) if admin else "1"
    created = anchor - timedelta(days=900)

    def post(resource, fields, when):
        post_id = store.next_id(db, SEQUENCE[resource])
        obj = {"id": post_id, **domain._copy(domain.DEFAULTS[resource] if resource in domain.DEFAULTS
                                              else domain.GROUP_DEFAULTS),
               "date": _stamp(when), "date_gmt": _stamp(when), "modified": _stamp(when),
               "modified_gmt": _stamp(when), "author": author, **fields}
        return store.put(db, KIND[resource], obj)

    groups = [post("groups", {"title": title, "pricing_page_disabled": False, "is_upgrade_path": upgrade},
                   created) for title, upgrade in GROUPS]
    memberships = []
    for i, (title, group, price, period, ptype, trial_days, trial_amount) in enumerate(MEMBERSHIPS):
        memberships.append(post("memberships", {
            "title": title, "content": fake.paragraph(nb_sentences=3), "excerpt": fake.sentence(),
            "group": str(groups[group]["id"]) if group is not None else "0", "group_order": str(i),
            "price": price, "period": period, "period_type": ptype, "trial": trial_days > 0,
            "trial_days": str(trial_days), "trial_amount": trial_amount, "pricing_title": title,
            "pricing_benefits": [fake.sentence(nb_words=4) for _ in range(3)],
            "is_highlighted": title == "Gold", "allow_renewal": ptype != "lifetime",
            "thank_you_page_type": "message", "expire_fixed": "",
        }, created + timedelta(days=i)))

    users = [site.user_by("user_login", login) for login in ("alice", "bob", "carol")]
    for _ in range(MEMBERS):
        first, last = fake.first_name(), fake.last_name()
        login = f"{first}.{last}{fake.random_int(1, 99)}".lower()
        users.append(site.add_user(
            db, user_login=login, user_email=f"{login}@{fake.free_email_domain()}",
            display_name=f"{first} {last}", first_name=first, last_name=last,
            user_registered=_stamp(anchor - timedelta(days=fake.random_int(30, 800), minutes=fake.random_int(0, 1439)))))
    for user in users:
        store.put(db, MEMBER_DATA, {
            "id": user["id"], "login_count": str(fake.random_int(0, 60)),
            "address": {"mepr-address-one": fake.street_address(), "mepr-address-two": "",
                        "mepr-address-city": fake.city(), "mepr-address-state": fake.state_abbr(),
                        "mepr-address-zip": fake.zipcode(), "mepr-address-country": "US"},
            "profile": {"mepr_company_name": fake.company(), "mepr_phone": fake.numerify("###-###-####")},
        })

    coupons = []
    for code, dtype, amount, valid in (("WELCOME10", "percent", "10.00", [0, 1, 2]),
                                       ("SPRING25", "percent", "25.00", [3]),
                                       ("TEAM50", "dollar", "50.00", [4, 5]),
                                       (fake.bothify("??????####").upper(), "percent", "100.00", [])):
        coupons.append(post("coupons", {
            "coupon_code": code, "discount_type": dtype, "discount_amount": amount,
            "valid_memberships": [str(memberships[i]["id"]) for i in valid],
            "usage_amount": str(fake.random_element([0, 0, 100])),
        }, created + timedelta(days=40)))

    for rule_type, content, allowed in (("all_page", "", [0, 1, 2]), ("single_post", str(fake.random_int(100, 400)), [2]),
                                        ("category", "members-only", [0, 1, 2, 4, 5]),
                                        ("partial", "", [3]), ("custom", "^/courses/.*", [3])):
        rule = {"rule_type": rule_type, "rule_content": content, "is_rule_content_regex": rule_type == "custom",
                "authorized_memberships": [str(memberships[i]["id"]) for i in allowed],
                "drip_enabled": rule_type == "single_post", "drip_amount": "7" if rule_type == "single_post" else "0",
                "unauth_message_type": fake.random_element(["default", "custom"]),
                "unauth_message": "Join to read the rest."}
        rule["title"] = domain.rule_title({**domain.RULE_DEFAULTS, **rule})
        post("rules", rule, created + timedelta(days=50))

    for length, interval, timing, trigger, only, enabled in REMINDERS:
        reminder = post("reminders", {"trigger_length": length, "trigger_interval": interval, "trigger_timing": timing,
                                      "trigger_event": trigger, "products": [str(memberships[i]["id"]) for i in only]},
                        created + timedelta(days=60))
        store.put(db, KIND["reminders"], domain.finish_reminder(reminder, {"enabled": enabled}))

    for user in users[:21]:   # a few members never bought anything
        _purchases(store, db, fake, user, memberships, coupons, anchor)
    for title, upgrade in LATER_GROUPS:   # made after everything else, so earlier ids stay as they were
        post("groups", {"title": title, "is_upgrade_path": upgrade}, anchor - timedelta(days=30))
    _history(site, db, users)


def _history(site, db, users) -> None:
    """The event log the seeded site would have: registrations, subscriptions, payments and their
    outcomes, written in the order they happened (dated as they happened, not now)."""
    store, at = site.store, domain.now()
    txns = sorted(store.all(KIND["transactions"]), key=lambda r: int(r["id"]))
    happened = [(u["user_registered"], "member-added", ("users", u["id"])) for u in users]
    for sub in store.all(KIND["subscriptions"]):
        happened.append((sub["created_at"], "subscription-created", ("subscriptions", sub["id"])))
        if sub["status"] in ("cancelled", "suspended"):
            last = max((t["created_at"] for t in txns if t["subscription"] == sub["id"]), default=sub["created_at"])
            happened.append((last, "subscription-stopped" if sub["status"] == "cancelled" else "subscription-paused",
                             ("subscriptions", sub["id"])))
    by_sub: dict[str, list] = {}
    for txn in txns:
        by_sub.setdefault(txn["subscription"], []).append(txn)
    for txn in txns:
        about, when = ("transactions", txn["id"]), txn["created_at"]
        outcome = dict(txn, status="pending")
        names = events.transaction_events(site, None, outcome)          # signups that waited (offline)
        if txn["status"] != "pending":
            names += _settled(site, outcome, txn, by_sub)
        happened += [(when, name, about) for name in names if not name.endswith("-expired")]
        expires = domain.parse_mysql(txn["expires_at"])
        if domain.is_expired(txn, at):
            happened += [(domain.mysql(expires), name, about) for name in names if name.endswith("-expired")]
    for when, name, about in sorted(happened, key=lambda h: h[0]):
        events.record(site, db, name, about, when=domain.parse_mysql(when))


def _settled(site, before: dict, after: dict, by_sub: dict) -> list[str]:
    """What a payment's outcome recorded: a refunded one was completed first."""
    if after["status"] == "refunded":
        completed = dict(after, status="complete")
        return events.transaction_events(site, before, completed) + events.transaction_events(site, completed, after)
    return events.transaction_events(site, before, after)


def _purchases(store, db, fake, user, memberships, coupons, anchor) -> None:
    for _ in range(fake.random_element([1, 1, 1, 2])):
        membership = fake.random_element(memberships)
        gateway = fake.random_element(["peum51-1tc", "peum51-1tc", "manual"])
        coupon = fake.random_element([None] * 5 + coupons[:1])
        start = anchor - timedelta(days=fake.random_int(3, 400), minutes=fake.random_int(0, 1439))
        if membership["period_type"] == "lifetime":
            status = fake.random_element(["complete"] * 5 + ["refunded", "failed", "pending"])
            _txn(store, db, fake, user, membership, gateway, coupon, None, start, None, status, membership["price"])
            continue
        days = PERIOD_DAYS[membership["period_type"]] * int(membership["period"])
        sub_status = fake.random_element(["active"] * 4 + ["cancelled", "suspended"])
        sub_id = store.next_id(db, SEQUENCE["subscriptions"])
        cus = "cus_" + fake.bothify("??????????????") if gateway != "manual" else f"mp-sub-{fake.hexify('^^^^^^^^^^^^^^')}"
        sub = {"id": str(sub_id), **domain._copy(domain.SUBSCRIPTION_DEFAULTS), "coupon": str(coupon["id"]) if coupon else "0",
               "membership": str(membership["id"]), "member": str(user["id"]), "subscr_id": cus, "gateway": gateway,
               "price": membership["price"], "total": membership["price"], "period": membership["period"],
               "period_type": membership["period_type"], "limit_cycles_num": "2",
               "trial": "1" if domain.truthy(membership["trial"]) else "0", "trial_days": membership["trial_days"],
               "trial_amount": membership["trial_amount"], "status": sub_status, "created_at": _stamp(start),
               "cc_last4": fake.numerify("####") if gateway != "manual" else None,
               "cc_exp_month": f"{fake.random_int(1, 12):02d}" if gateway != "manual" else None,
               "cc_exp_year": str(anchor.year + fake.random_int(1, 5)) if gateway != "manual" else None}
        store.put(db, KIND["subscriptions"], sub)
        moment = start
        if sub["trial"] == "1":
            trial_end = start + timedelta(days=int(sub["trial_days"]))
            _txn(store, db, fake, user, membership, gateway, coupon, sub, start, trial_end, "complete", sub["trial_amount"])
            moment = trial_end
        else:
            _txn(store, db, fake, user, membership, gateway, coupon, sub, start, start, "confirmed", "0.00",
                 txn_type="subscription_confirmation", trans_num=cus)
        while moment <= anchor:
            status = fake.random_element(["complete"] * 8 + ["failed", "refunded"])
            ends = moment + timedelta(days=days)
            _txn(store, db, fake, user, membership, gateway, coupon, sub, moment, ends, status, membership["price"])
            if sub_status != "active" and fake.pybool():
                break
            moment = ends


def _txn(store, db, fake, user, membership, gateway, coupon, sub, created, expires, status, amount,
         txn_type="payment", trans_num=None):
    txn_id = store.next_id(db, SEQUENCE["transactions"])
    prefix = "ch_" if gateway != "manual" else "mp-txn-"
    store.put(db, KIND["transactions"], {
        "id": str(txn_id), **domain._copy(domain.TRANSACTION_DEFAULTS),
        "membership": str(membership["id"]), "member": str(user["id"]),
        "coupon": str(coupon["id"]) if coupon else "0", "subscription": sub["id"] if sub else "0",
        "amount": amount, "total": amount, "trans_num": trans_num or prefix + fake.bothify("????????????????????????"),
        "status": status, "txn_type": txn_type, "gateway": gateway, "created_at": _stamp(created),
        "expires_at": _stamp(expires.replace(hour=23, minute=59, second=59)) if expires and txn_type == "payment"
        else (_stamp(expires) if expires else domain.NEVER),
    })
