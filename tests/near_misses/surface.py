"""Near-misses for the contracts beyond the vendor documents: MemberPress groups, reminders, the event
log, suspend/resume, the optional routes and the six events live sites send; PMPro's helper routes;
WordPress's REST index.

Bases are the captured live payloads (tests/captured) where there are any, else payloads of the
shape the real plugins give (PMPro's from the real site, MemberPress's from the add-on's code).
"""
import json
from pathlib import Path

from tests.near_misses.miss import DELETE, Miss
from tests.samples.corpus import SAMPLES_DIR

CAPTURED = Path(__file__).resolve().parent.parent / "captured" / "memberpress"


def captured(event: str) -> dict:
    return json.loads((CAPTURED / f"{event}.json").read_text(encoding="utf-8"))


def sample(name: str) -> dict:
    return json.loads((SAMPLES_DIR / name).read_text(encoding="utf-8"))


SUBSCRIPTION = sample("003/subscription-get.json")
TRANSACTION = sample("003/transaction-get.json")
AUTHOR = {"id": 1, "email": "admin@example.com", "username": "admin", "nicename": "admin", "url": "", "message": "",
          "registered_at": "2018-08-01 09:00:00", "first_name": "Site", "last_name": "Admin",
          "display_name": "Site Admin"}
POST = {"date": "2024-06-14 12:00:00", "status": "publish", "author": AUTHOR, "date_gmt": "2024-06-14 12:00:00",
        "modified": "2024-06-14 12:00:00", "modified_gmt": "2024-06-14 12:00:00"}
GROUP = {"id": 2, "title": "Tiers", "content": "", "excerpt": "", **POST, "pricing_page_disabled": False,
         "disable_change_plan_popup": False, "is_upgrade_path": True, "upgrade_path_reset_period": False,
         "group_theme": "minimal_gray_horizontal.css", "fallback_membership": "", "page_button_class": "",
         "page_button_highlighted_class": "", "page_button_disabled_class": "", "alternate_group_url": "",
         "use_custom_template": False, "custom_template": ""}
REMINDER = {"id": 61, "title": "2 days before Subscription Trial Ending", **POST, "trigger_length": "2",
            "trigger_interval": "days", "trigger_timing": "before", "trigger_event": "sub-trial-ends",
            "filter_products": "1", "products": ["4"]}
LOGGED = {"id": "417", "event": "transaction-completed", "args": "", "evt_id": TRANSACTION["id"],
          "evt_id_type": "transactions", "created_at": "2024-05-01 10:00:00", "data": TRANSACTION}
ACTION = {"message": "The subscription was successfully paused.",
          "data": {"data": {**SUBSCRIPTION, "status": "suspended"}, "headers": [], "status": 200}}
# PMPro answers as the real site (PMPro 3.8.4) gives them.
LEVEL = {"id": "2", "name": "Gold Monthly", "description": "Recurring monthly", "confirmation": "",
         "initial_payment": "20.00000000", "billing_amount": "20.00000000", "cycle_number": "1",
         "cycle_period": "Month", "billing_limit": "0", "trial_amount": "0.00000000", "trial_limit": "0",
         "allow_signups": "1", "expiration_number": "0", "expiration_period": ""}
CHECKOUT_LEVELS = {"initial_payment": 20, "2": LEVEL, "initial_payment_formatted": "&#36;20.00"}
RECENT_MEMBERSHIP = {"id": "2", "user_email": "alice@example.org", "user_nicename": "alice", "first_name": "Alice",
                     "last_name": "", "membership_id": "2", "membership_name": "Gold Monthly", "status": "active",
                     "modified": "2026-12-01T04:32:21+00:00"}
RECENT_ORDER = {"id": "1", "code": "5F804DD993", "user_id": "2", "user_email": "alice@example.org",
                "user_nicename": "alice", "first_name": "Alice", "last_name": "", "membership_id": "2",
                "billing_name": "Alice", "billing_street": "", "billing_city": "", "billing_state": "",
                "billing_zip": "", "billing_country": "", "billing_phone": "", "subtotal": "20", "tax": "0",
                "total": "20", "status": "success", "gateway": "", "gateway_environment": "sandbox",
                "timestamp": "2026-12-01T04:32:21+00:00"}
QUICK = {"success": True, "data": '<table class="widefat striped"><tbody><tr><td colspan="2">No results found.</td>'
                                  "</tr></tbody></table>"}
ROUTE = {"namespace": "pmpro/v1", "methods": ["GET"], "endpoints": [
    {"methods": ["GET"], "args": {"log_id": {"type": "integer", "required": True}}}],
    "_links": {"self": [{"href": "http://127.0.0.1:8081/wp-json/pmpro/v1/email_log_popup"}]}}
NAMESPACE = {"namespace": "pmpro/v1", "routes": {"/pmpro/v1/email_log_popup": ROUTE},
             "_links": {"up": [{"href": "http://127.0.0.1:8081/wp-json/"}]}}
INDEX = {"name": "Real Peer", "description": "", "url": "http://127.0.0.1:8081", "home": "http://127.0.0.1:8081",
         "gmt_offset": "0", "timezone_string": "", "namespaces": ["wp/v2", "pmpro/v1"],
         "authentication": {"application-passwords": {"endpoints": {
             "authorization": "http://127.0.0.1:8081/wp-admin/authorize-application.php"}}},
         "routes": {"/pmpro/v1/email_log_popup": ROUTE}, "site_logo": 0, "site_icon": 0, "site_icon_url": "",
         "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]}}

OTHER_TYPE = {"transaction": "subscription", "subscription": "member"}
BROKEN = {  # one realistic break of each new event's payload
    "offline-payment-pending": ("/data/status", "awaiting", "enum", "a status the gateway does not use"),
    "offline-payment-complete": ("/data/trans_num", DELETE, "required", "transaction without its number"),
    "offline-payment-refunded": ("/data/txn_type", "refund", "enum", "refund recorded as its own transaction type"),
    "before-sub-trial-ends": ("/data/subscr_id", DELETE, "required", "subscription without its gateway reference"),
    "sub-account-added": ("/data/txn_type", "corporate", "enum", "made-up type for the sub account's transaction"),
    "sub-account-removed": ("/data/id", DELETE, "required", "transaction without its id"),
}

CASES = [
    case
    for event, (path, value, rule, why) in BROKEN.items()
    for case in (
        Miss(f"memberpress.events.{event}", captured(event), "/event", "transaction-completed", "const",
             "body filed under another event's name"),
        Miss(f"memberpress.events.{event}", captured(event), "/type", OTHER_TYPE[captured(event)["type"]], "const",
             "envelope type that does not go with this event"),
        Miss(f"memberpress.events.{event}", captured(event), path, value, rule, why),
    )
] + [
    Miss("memberpress.event", captured("offline-payment-pending"), "/data", captured("before-sub-trial-ends")["data"],
         "required", "offline-payment-pending carrying a subscription instead of its transaction"),
    Miss("memberpress.event", captured("sub-account-added"), "/event", "sub-account-changed", "enum",
         "an event name no site sends"),
    # objects
    Miss("memberpress.reminder", REMINDER, "/trigger_interval", "fortnights", "enum", "interval MemberPress lacks"),
    Miss("memberpress.reminder", REMINDER, "/products", "4", "type", "memberships as one string, not a list"),
    Miss("memberpress.reminder", REMINDER, "/trigger_event", DELETE, "required", "reminder without its event"),
    Miss("memberpress.recorded-event", LOGGED, "/evt_id_type", "posts", "enum", "object kind the log never names"),
    Miss("memberpress.recorded-event", LOGGED, "/data", AUTHOR, "anyOf",
         "a member's record under a transaction's log row"),
    Miss("memberpress.recorded-event", LOGGED, "/data", DELETE, "required", "log row without data"),
    # requests
    Miss("memberpress.requests.group-create", {"title": "Tiers", "is_upgrade_path": "1"}, "/is_upgrade_path", "maybe",
         "anyOf", "a flag that is neither yes nor no"),
    Miss("memberpress.requests.group-update", {"group_theme": "minimal_gray_horizontal.css"}, "/title", 5, "type",
         "title sent as a number"),
    Miss("memberpress.requests.groups-list", {"page": "2", "order": "title"}, "/order", "title; DROP", "pattern",
         "sort column that is not a column name"),
    Miss("memberpress.requests.reminder-create", {"event": "sub-expires", "trigger_length": "3"}, "/event",
         "sub-cancelled", "enum", "trigger event MemberPress does not know"),
    Miss("memberpress.requests.reminder-create", {"memberships": ["4"]}, "/memberships", "4", "type",
         "memberships as a bare id"),
    Miss("memberpress.requests.reminder-update", {"trigger_timing": "after"}, "/trigger_timing", "later", "enum",
         "timing that is neither before nor after"),
    Miss("memberpress.requests.reminders-list", {"order_dir": "ASC"}, "/order_dir", "UP", "enum",
         "sort direction that is not ASC/DESC"),
    Miss("memberpress.requests.events-list", {"per_page": "20", "search": {"event": "login"}}, "/per_page", "0",
         "anyOf", "a page of nothing"),
    # answers
    Miss("memberpress.responses.groups-list", [GROUP], "/0/is_upgrade_path", DELETE, "required",
         "group without its upgrade-path flag"),
    Miss("memberpress.responses.group-delete", True, "", False, "const", "delete that reports failure as success"),
    Miss("memberpress.responses.reminders-list", [REMINDER], "/0/trigger_timing", "during", "enum",
         "timing that is neither before nor after"),
    Miss("memberpress.responses.reminder-delete", True, "", "yes", "const", "PHP truthy string instead of true"),
    Miss("memberpress.responses.events-list", [LOGGED], "/0/created_at", "yesterday", "pattern",
         "a date that is not a MySQL datetime"),
    Miss("memberpress.responses.subscription-suspend", ACTION, "/message", "", "minLength", "empty confirmation"),
    Miss("memberpress.responses.subscription-resume", ACTION, "/data/status", 201, "const",
         "inner response status other than 200"),
    Miss("memberpress.responses.me-permissions",
         {"success": True, "data": {"username": "mock-key", "roles": [], "capabilities": ["remove_users"]}},
         "/data/capabilities", [], "minItems", "credentials that grant nothing still answered as a success"),
    Miss("memberpress.responses.member-options",
         {"roles": ["subscriber"], "address_fields": ["mepr-address-one"], "profile_fields": []},
         "/address_fields/0", "street", "pattern", "address key without MemberPress's prefix"),
    Miss("memberpress.responses.membership-options", {"period_type": ["months"], "payment_methods": ["manual"]},
         "/period_type", DELETE, "required", "options without the period types"),
    Miss("memberpress.responses.membership-member-options",
         {"id": 4, "payment_methods": ["manual"], "profile_fields": [], "group": "1"}, "/group", DELETE, "required",
         "options without the membership's group"),
    # PMPro
    Miss("pmpro.checkout-levels", CHECKOUT_LEVELS, "/level_2", LEVEL, "additionalProperties",
         "level keyed by something other than its id"),
    Miss("pmpro.checkout-levels", CHECKOUT_LEVELS, "/initial_payment", "20.00", "type", "total as a string"),
    Miss("pmpro.email-log-popup", {"html": "<div></div>"}, "/html", "", "minLength", "empty details"),
    Miss("pmpro.me", {"success": True, "data": {"username": "admin"}}, "/success", False, "const",
         "the check reported as a failure envelope"),
    Miss("pmpro.quick-search", QUICK, "/data", "<div>No results</div>", "pattern", "results not in PMPro's table"),
    Miss("pmpro.recent-membership", RECENT_MEMBERSHIP, "/membership_id", 2, "type",
         "a column MySQL gives as a string sent as a number"),
    Miss("pmpro.recent-memberships", [RECENT_MEMBERSHIP], "/0/status", DELETE, "required", "row without status"),
    Miss("pmpro.recent-order", RECENT_ORDER, "/gateway_environment", "prod", "enum", "environment PMPro lacks"),
    Miss("pmpro.recent-orders", [RECENT_ORDER], "/0/total", "20,00", "pattern", "decimal comma"),
    Miss("pmpro.requests.checkout-levels", {"level": "2"}, "/level", DELETE, "anyOf", "no level at all"),
    Miss("pmpro.requests.email-log-popup", {"log_id": "3"}, "/log_id", DELETE, "required", "no log id"),
    Miss("pmpro.requests.quick-search", {"search": "ali", "type": "users"}, "/type", "people", "enum",
         "a result kind the search lacks"),
    Miss("pmpro.requests.recent-memberships", {"limit": "5", "level_status": "active,changed"}, "/level_status",
         "active; changed", "pattern", "statuses not separated by commas alone"),
    Miss("pmpro.requests.recent-orders", {"limit": 3}, "/limit", -1, "anyOf", "a negative count"),
    # WordPress
    Miss("wordpress.rest-route", ROUTE, "/endpoints/0/methods/0", "FETCH", "enum", "an HTTP method WordPress lacks"),
    Miss("wordpress.rest-namespace", NAMESPACE, "/_links/up", DELETE, "required", "index without its way up"),
    Miss("wordpress.rest-index", INDEX, "/namespaces", "pmpro/v1", "type", "namespaces as a single string"),
]
