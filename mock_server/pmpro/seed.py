"""A seeded PMPro site: five levels, members (alice and bob among them), orders, codes, restricted posts."""
from __future__ import annotations

from datetime import datetime, timedelta

from mock_server.pmpro import domain
from mock_server.pmpro.php import price
from mock_server.seeding import moment_between

LEVELS = [
    dict(name="Community", description="Free access to the member forum and the monthly newsletter.",
         confirmation="Welcome to the community! Your forum account is ready.",
         initial_payment="0.00", billing_amount="0.00", cycle_number=0, cycle_period="", billing_limit=0,
         trial_amount="0.00", trial_limit=0, allow_signups=1, expiration_number=0, expiration_period=""),
    dict(name="Monthly Pro", description="All courses and live Q&A sessions, billed monthly.",
         confirmation="Thanks for joining Pro. Your first live session is on the calendar.",
         initial_payment="19.00", billing_amount="19.00", cycle_number=1, cycle_period="Month", billing_limit=0,
         trial_amount="0.00", trial_limit=0, allow_signups=1, expiration_number=0, expiration_period=""),
    dict(name="Annual Pro", description="Everything in Pro for a year, two months free.",
         confirmation="Thanks for your annual membership. Your receipt is on its way.",
         initial_payment="190.00", billing_amount="190.00", cycle_number=1, cycle_period="Year", billing_limit=0,
         trial_amount="0.00", trial_limit=0, allow_signups=1, expiration_number=0, expiration_period=""),
    dict(name="Premium Coaching", description="Monthly one-to-one coaching; the first month costs less.",
         confirmation="Your coach will email you within one business day.",
         initial_payment="49.00", billing_amount="99.00", cycle_number=1, cycle_period="Month", billing_limit=12,
         trial_amount="49.00", trial_limit=1, allow_signups=1, expiration_number=0, expiration_period=""),
    dict(name="Workshop Pass", description="Three months of workshop recordings, paid once.",
         confirmation="Your workshop pass is active for three months.",
         initial_payment="75.50", billing_amount="0.00", cycle_number=0, cycle_period="", billing_limit=0,
         trial_amount="0.00", trial_limit=0, allow_signups=0, expiration_number=3, expiration_period="Month"),
]

CODES = [
    ("SPRING25", 0, {2: dict(initial_payment="14.25", billing_amount="14.25", cycle_number=1, cycle_period="Month"),
                     3: dict(initial_payment="142.50", billing_amount="190.00", cycle_number=1, cycle_period="Year")}),
    ("WELCOME10", 100, {2: dict(initial_payment="9.00", billing_amount="19.00", cycle_number=1, cycle_period="Month"),
                        4: dict(initial_payment="39.00", billing_amount="99.00", cycle_number=1, cycle_period="Month",
                                billing_limit=12, trial_amount="39.00", trial_limit=1)}),
    ("BLACKFRIDAY", 0, {5: dict(initial_payment="50.00", expiration_number=3, expiration_period="Month")}),
]

POSTS = [("page", "Members Lounge", [2, 3, 4]), ("post", "Course: Getting Started", [2, 3]),
         ("post", "Live Q&A Archive", [3, 4]), ("page", "Coaching Workbook", [4]),
         ("post", "Welcome to the Community", []), ("post", "Workshop Recordings", [5]),
         ("page", "About Us", []), ("post", "Forum Guidelines", [1, 2, 3, 4])]

GATEWAYS = ("stripe", "paypalexpress")
STATUSES = ("success",) * 8 + ("refunded", "pending", "cancelled", "error")


def _pricing(lv: dict, extra: dict) -> dict:
    base = {name: lv[name] for name in domain.PRICING_FIELDS}
    base.update({"billing_amount": "0.00", "cycle_number": 0, "cycle_period": "", "billing_limit": 0,
                 "trial_amount": "0.00", "trial_limit": 0, "expiration_number": 0, "expiration_period": ""})
    base.update(extra)
    return domain.store_pricing(base)


def seed(site, db, fake) -> None:
    store = site.store
    levels = [domain.new_level(site, db, dict(lv)) for lv in LEVELS]
    levels[1]["categories"] = [1]
    store.put(db, domain.LEVEL, levels[1])

    codes = []
    for i, (text, uses, per_level) in enumerate(CODES):
        starts = "2024-01-01" if i < 2 else "2023-11-24"
        expires = "2030-12-31" if i < 2 else "2023-11-30"
        code = {"id": store.next_id(db, domain.SEQ_CODES), "code": text, "starts": starts, "expires": expires,
                "uses": uses,
                "levels": {str(levels[k - 1]["id"]): _pricing(levels[k - 1], v) for k, v in per_level.items()}}
        codes.append(store.put(db, domain.CODE, code))

    admin = site.user_by("user_login", "admin")
    editor = site.user_by("user_login", "editor")
    for kind, title, restricted in POSTS:
        post_id = store.next_id(db, "posts")
        store.put(db, domain.POST, {"id": post_id, "post_type": kind, "post_title": title, "post_status": "publish",
                                    "post_author": (editor or admin)["id"] if kind == "post" else admin["id"]})
        domain.set_restrictions(site, db, post_id, [levels[k - 1]["id"] for k in restricted])

    members = [(site.user_by("user_login", "alice"), 2), (site.user_by("user_login", "bob"), 3)]
    for _ in range(22):
        first, last = fake.first_name(), fake.last_name()
        login = f"{first}.{last}{fake.random_int(1, 99)}".lower()
        user = site.add_user(db, user_login=login, user_email=f"{login}@{fake.free_email_domain()}",
                             display_name=f"{first} {last}", first_name=first, last_name=last,
                             user_registered=moment_between(fake, 3 * 365, 182).strftime("%Y-%m-%d %H:%M:%S"))
        members.append((user, fake.random_element((1, 2, 2, 3, 3, 4, 5))))

    for user, level_no in members:
        lv = levels[level_no - 1]
        start = moment_between(fake, 2 * 365, 10).replace(tzinfo=None)
        code = None
        if level_no in (2, 3, 4) and fake.random_int(1, 5) == 1:
            code = codes[0] if level_no in (2, 3) else codes[1]
        pricing = code["levels"].get(str(lv["id"])) if code else None
        if fake.random_int(1, 6) == 1 and user["user_login"] not in ("alice", "bob"):
            old = levels[fake.random_element((0, 1, 4))]
            ended = start - timedelta(days=fake.random_int(5, 90))
            domain.add_membership(site, db, user["id"], old, start=ended - timedelta(days=120),
                                  status=fake.random_element(("cancelled", "expired", "changed")),
                                  enddate=domain.mysql(ended))
        row = domain.add_membership(site, db, user["id"], lv, start=start,
                                    code_id=code["id"] if code else 0, pricing=pricing and {**pricing})
        _orders(site, db, fake, user, lv, row, code)


def _orders(site, db, fake, user, lv, row, code) -> None:
    if float(row["initial_payment"]) <= 0 and float(row["billing_amount"]) <= 0:
        return
    gateway = fake.random_element(GATEWAYS)
    environment = fake.random_element(("live", "live", "sandbox"))
    recurring = float(row["billing_amount"]) > 0
    sub_id = (f"sub_{fake.pystr(14, 14)}" if gateway == "stripe" else f"I-{fake.pystr(12, 12).upper()}") if recurring else ""
    start = datetime.strptime(row["startdate"], "%Y-%m-%d %H:%M:%S")
    step = {"Month": 30, "Year": 365}.get(row["cycle_period"], 30)
    count = 1 + (min(fake.random_int(0, 3), max((domain.now().replace(tzinfo=None) - start).days // step, 0)) if recurring else 0)
    billing = {"name": f"{user['first_name']} {user['last_name']}".strip() or user["display_name"],
               "street": fake.street_address(), "street2": fake.random_element(("", "", fake.secondary_address())),
               "city": fake.city(), "state": fake.state_abbr(), "zip": fake.zipcode(), "country": "US",
               "phone": fake.numerify("(###) ###-####")}
    checkout_id = 0
    for n in range(count):
        amount = row["initial_payment"] if n == 0 else row["billing_amount"]
        stamp = start + timedelta(days=step * n)
        order_id = site.store.next_id(db, domain.SEQ_ORDERS)
        checkout_id = checkout_id or order_id
        order = {
            "id": order_id, "code": fake.hexify("^^^^^^^^^^", upper=True), "user_id": user["id"],
            "membership_id": lv["id"], "billing": billing, "subtotal": amount, "tax": price(0), "total": amount,
            "payment_type": "", "cardtype": "Visa" if gateway == "stripe" else "",
            "accountnumber": f"XXXXXXXXXXXX{fake.numerify('####')}" if gateway == "stripe" else "",
            "expirationmonth": fake.numerify("0#").replace("00", "01") if gateway == "stripe" else "",
            "expirationyear": str(fake.random_int(2026, 2031)) if gateway == "stripe" else "",
            "status": "success" if n == 0 else fake.random_element(STATUSES), "gateway": gateway,
            "gateway_environment": environment,
            "payment_transaction_id": (f"ch_{fake.pystr(20, 20)}" if gateway == "stripe"
                                       else fake.bothify("##?#####??######", letters="ABCDEFGHJKLMNPRSTUVWXYZ")),
            "subscription_transaction_id": sub_id, "timestamp": domain.mysql(stamp), "affiliate_id": "",
            "affiliate_subid": "", "notes": "", "checkout_id": checkout_id if n == 0 else 0,
        }
        site.store.put(db, domain.ORDER, order)
        if n == 0:
            _log_email(site, db, user, lv, stamp)
        if n == 0 and code:
            site.store.put(db, domain.CODE_USE, {"id": site.store.next_id(db, domain.SEQ_CODE_USES),
                                                 "code_id": code["id"], "user_id": user["id"], "order_id": order_id,
                                                 "timestamp": domain.mysql(stamp)})


def _log_email(site, db, user, lv, when) -> None:
    """The checkout confirmation PMPro's e-mail log keeps for a paid signup."""
    site.store.put(db, domain.EMAIL_LOG, {
        "id": site.store.next_id(db, domain.SEQ_EMAIL_LOG), "user_id": user["id"], "email_to": user["user_email"],
        "email_from": "wordpress@example.com", "from_name": "membermock", "reply_to": "", "cc": "", "bcc": "",
        "subject": f"Your membership confirmation for {lv['name']}", "template": "checkout_paid", "status": "sent",
        "body": f"<p>Thank you for your membership to {lv['name']}.</p>", "timestamp": domain.mysql(when)})
