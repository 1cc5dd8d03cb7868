"""Near-misses for the MemberPress object contracts (member, membership, subscription, ...).

Bases are real samples: seed 004 webhook bodies (clean English) and the cleaned REST samples of
seed 003. Each case changes one thing the way a broken client, a bad mock or a careless
translation would.
"""
from tests.near_misses.miss import DELETE, Miss

MEMBER = "004/member-added.json#/data"
SHORT = "004/subscription-created.json#/data/member"
MEMBERSHIP = "004/member-added.json#/data/active_memberships/0"
SUB = "004/subscription-created.json#/data"
SUB_ROW = "004/member-added.json#/data/recent_subscriptions/0"
TXN = "004/transaction-completed.json#/data"
TXN_ROW = "004/member-added.json#/data/first_txn"
COUPON = "004/subscription-paused.json#/data/coupon"
GATEWAY = "004/subscription-created.json#/data/gateway"
COURSE = "004/mpca-quiz-attempt-completed.json#/data"

CASES = [
    # member
    Miss("memberpress.member", MEMBER, "/email", 123, "type", "email sent as a number"),
    Miss("memberpress.member", MEMBER, "/username", DELETE, "required", "login name dropped from the user part"),
    Miss("memberpress.member", MEMBER, "/registered_at", "18/04/2019", "pattern", "registration date in a display format instead of MySQL datetime"),
    Miss("memberpress.member", MEMBER, "/address", "123 fake st", "type", "address flattened to one string"),
    Miss("memberpress.member", MEMBER, "/recent_subscriptions", DELETE, "required", "activity list missing"),
    Miss("memberpress.member", MEMBER, "/recent_transactions/0/status", "paid", "enum", "transaction status outside MemberPress's five"),
    Miss("memberpress.member", MEMBER, "/recent_subscriptions/0/period_type", "monthly", "enum", "period type spelled like another plugin's"),
    Miss("memberpress.member", MEMBER, "/first_txn/membership", {"id": 15}, "required",
         "a half-expanded membership in a raw row: an object must be a full membership"),
    Miss("memberpress.member", MEMBER, "/active_memberships/0/period_type", "Monate", "enum",
         "untranslated German value as seed 001 shows it (Monate for months)"),
    Miss("memberpress.member", "003/member-get.json", "/profile", ["mepr_company_name"], "type",
         "profile values as a list instead of an object keyed by field slug"),
    # member-short
    Miss("memberpress.member-short", SHORT, "/email", DELETE, "required", "email dropped from an embedded member"),
    Miss("memberpress.member-short", SHORT, "/display_name", None, "type", "display name null on a live user"),
    Miss("memberpress.member-short", SHORT, "/registered_at", "", "pattern", "empty registration date"),
    Miss("memberpress.member-short", "003/membership-get.json#/author", "/id", "zapiertest", "anyOf",
         "author id replaced by the login name"),
    # address
    Miss("memberpress.address", "004/member-added.json#/data/address", "/mepr-address-zip", 81111, "type",
         "postal code as a number (loses leading zeros)"),
    Miss("memberpress.address", "004/member-added.json#/data/address", "/mepr-address-country", DELETE, "required",
         "one address key missing"),
    # membership
    Miss("memberpress.membership", MEMBERSHIP, "/period_type", "monthly", "enum", "period type not in weeks/months/years/lifetime"),
    Miss("memberpress.membership", MEMBERSHIP, "/price", 100, "type", "price as a JSON number; MemberPress sends \"100.00\""),
    Miss("memberpress.membership", MEMBERSHIP, "/title", DELETE, "required", "title missing"),
    Miss("memberpress.membership", MEMBERSHIP, "/expire_type", "never", "enum", "expire type outside none/delay/fixed"),
    Miss("memberpress.membership", MEMBERSHIP, "/register_price_action", "show", "enum", "price action outside default/hidden/custom"),
    Miss("memberpress.membership", MEMBERSHIP, "/pricing_benefits", "Sign Up", "type", "benefits as one string instead of a list"),
    Miss("memberpress.membership", MEMBERSHIP, "/trial", "yes", "anyOf", "flag as a word; PHP flags are true/false/1/0/\"\""),
    Miss("memberpress.membership", "003/membership-get.json", "/author/username", DELETE, "required",
         "expanded author missing its login name (seed 003 translated the key)"),
    Miss("memberpress.membership", "003/memberships-list.json#/3", "/group/group_theme", 7, "type",
         "expanded group with a non-string theme"),
    # group
    Miss("memberpress.group", "003/memberships-list.json#/3/group", "/is_upgrade_path", DELETE, "required",
         "group without its upgrade-path flag"),
    Miss("memberpress.group", "003/memberships-list.json#/3/group", "/status", "published", "enum",
         "post status that WordPress does not have"),
    Miss("memberpress.group", "003/memberships-list.json#/3/group", "/date", "2019-03-13", "pattern",
         "post date without its time"),
    # coupon
    Miss("memberpress.coupon", COUPON, "/discount_type", "fixed", "enum", "discount type outside percent/dollar"),
    Miss("memberpress.coupon", COUPON, "/discount_mode", "first_payment", "enum", "mode spelled with an underscore"),
    Miss("memberpress.coupon", COUPON, "/coupon_code", DELETE, "required", "coupon without its code"),
    Miss("memberpress.coupon", COUPON, "/valid_memberships", "196", "type", "single id instead of a list"),
    Miss("memberpress.coupon", "003/coupon-get.json", "/valid_memberships/0/period_type", "meses", "enum",
         "expanded membership whose period type kept its Portuguese translation"),
    # rule
    Miss("memberpress.rule", "003/rule-get.json", "/rule_type", "single page", "pattern", "rule type with a space"),
    Miss("memberpress.rule", "003/rule-get.json", "/drip_unit", "hours", "enum", "drip unit MemberPress does not offer"),
    Miss("memberpress.rule", "003/rule-get.json", "/unauth_login", "always", "enum", "login-form setting outside default/show/hide"),
    Miss("memberpress.rule", "003/rule-get.json", "/rule_type", DELETE, "required", "rule without its type"),
    Miss("memberpress.rule", "003/rule-get.json", "/drip_after", "registros", "anyOf",
         "Portuguese value left in by a translation (seed 003 shows registros for registers)"),
    # gateway
    Miss("memberpress.gateway", GATEWAY, "/capabilities/0", "refunds", "enum", "capability name MemberPress gateways never declare"),
    Miss("memberpress.gateway", GATEWAY, "/id", DELETE, "required", "payment method without its id"),
    Miss("memberpress.gateway", GATEWAY, "/settings", "", "type", "settings flattened to a string"),
    Miss("memberpress.gateway", GATEWAY, "/capabilities/8", "suspender-assinaturas", "enum",
         "capability translated to Portuguese, as seed 003 shows"),
    # subscription
    Miss("memberpress.subscription", SUB, "/status", "canceled", "enum", "US spelling; MemberPress uses cancelled"),
    Miss("memberpress.subscription", SUB, "/period_type", "month", "enum", "singular period type"),
    Miss("memberpress.subscription", SUB, "/subscr_id", DELETE, "required", "gateway subscription reference missing"),
    Miss("memberpress.subscription", SUB, "/membership", {"id": 15, "title": "Gold Membership"}, "required",
         "truncated membership object"),
    Miss("memberpress.subscription", SUB, "/gateway", 5, "type", "gateway as a number"),
    Miss("memberpress.subscription", SUB_ROW, "/status", "expired", "enum", "raw row with a transaction-style status"),
    Miss("memberpress.subscription", SUB_ROW, "/price", "100,00", "anyOf", "decimal comma from a translated document"),
    # transaction
    Miss("memberpress.transaction", TXN, "/status", "completed", "enum", "status spelled completed; MemberPress uses complete"),
    Miss("memberpress.transaction", TXN, "/txn_type", "recurring", "enum", "transaction type outside the model's list"),
    Miss("memberpress.transaction", TXN, "/trans_num", DELETE, "required", "charge reference missing"),
    Miss("memberpress.transaction", TXN, "/amount", 100.0, "type", "amount as a number; MemberPress sends \"100.00\""),
    Miss("memberpress.transaction", TXN, "/member", {"id": 46}, "required", "member object without its user fields"),
    Miss("memberpress.transaction", TXN, "/subscription", DELETE, "anyOf",
         "neither subscription nor the older subscription_id is present"),
    Miss("memberpress.transaction", TXN, "/rebill", "1", "type", "rebill is a real boolean"),
    Miss("memberpress.transaction", TXN_ROW, "/created_at", "2019-04-18T16:47:14Z", "pattern", "ISO 8601 instead of MySQL datetime"),
    # course-member
    Miss("memberpress.course-member", COURSE, "/attempt/score", "100", "pattern", "score without its percent sign"),
    Miss("memberpress.course-member", COURSE, "/course", DELETE, "required", "course missing from a course event"),
    Miss("memberpress.course-member", COURSE, "/quiz", "Test Quiz", "type", "quiz given by title only"),
]
