"""Near-misses for the WooCommerce Memberships abilities and the WordPress Abilities REST shapes."""
import json

from tests.near_misses.miss import DELETE, Miss
from tests.samples.corpus import SAMPLES_DIR


def _sample(name):
    return json.loads((SAMPLES_DIR / "002" / f"{name}.json").read_text(encoding="utf-8"))


PLAN = "002/plan.json"
MEMBERSHIP = "002/user-membership.json"
CREATE_PLAN = "002/plans-create-example-1.json"
A = "wc.abilities."

PRODUCT_RULE = {"id": "rule_5f1a", "content_type": "post_type", "content_type_name": "product",
                "object_ids": [24], "access_schedule": {"type": "immediate"}, "access_type": "view"}

# An ability as GET /wp-abilities/v1/abilities/{name} would list it (own wording for the texts).
ABILITY = {
    "name": "woocommerce-memberships/plans-get",
    "label": "Get a plan",
    "description": "Fetch one membership plan by id.",
    "category": "woocommerce-membership-plans",
    "input_schema": _sample("plans-get-input-schema"),
    "output_schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
    "meta": {"show_in_rest": True, "annotations": {"readonly": True, "destructive": False, "idempotent": True}},
    "_links": {"self": [{"href": "http://127.0.0.1:8080/wp-json/wp-abilities/v1/abilities/woocommerce-memberships/plans-get"}]},
}
CATEGORY = {"slug": "woocommerce-membership-plans", "label": "Membership plans",
            "description": "Abilities working on plans.", "meta": []}

CASES = [
    # wc.plan: plain fields
    Miss("wc.plan", PLAN, "/name", 123, "type", "name emitted as a number"),
    Miss("wc.plan", PLAN, "/rules", DELETE, "required", "serializer always sends the three rule lists"),
    Miss("wc.plan", PLAN, "/status", "published", "enum", "not a WordPress post status"),
    # wc.plan: access keyed on method
    Miss("wc.plan", PLAN, "/access", {"method": "purchase"}, "required", "purchase access without its products"),
    Miss("wc.plan", PLAN, "/access", {"method": "signup", "product_ids": [24]}, "not",
         "product ids are only sent for purchase access"),
    Miss("wc.plan", PLAN, "/access/method", "subscription", "enum", "unknown access method"),
    # wc.plan: membership_length keyed on type
    Miss("wc.plan", PLAN, "/membership_length", {"type": "specific", "period": "months"}, "required",
         "specific length without its amount"),
    Miss("wc.plan", PLAN, "/membership_length", {"type": "fixed", "start_date": "2026-01-01T00:00:00+00:00"},
         "required", "fixed length with no end date"),
    Miss("wc.plan", PLAN, "/membership_length", {"type": "unlimited", "amount": 12, "period": "months"}, "not",
         "unlimited length carrying an amount"),
    Miss("wc.plan", PLAN, "/membership_length",
         {"type": "fixed", "start_date": "2026-01-01", "end_date": "2026-12-31T00:00:00+00:00"}, "format",
         "fixed dates are ISO 8601 date-times ('c' format), not bare dates"),
    Miss("wc.plan", PLAN, "/membership_length", {"type": "specific", "amount": 1, "period": "month"}, "enum",
         "singular period"),
    # wc.plan: rules keyed on their list
    Miss("wc.plan", PLAN, "/rules/content_restriction/0/access_schedule", {"type": "delayed", "amount": 5},
         "required", "delayed schedule with no period"),
    Miss("wc.plan", PLAN, "/rules/content_restriction/0/access_schedule",
         {"type": "immediate", "amount": 5, "period": "days"}, "not", "immediate schedule with a delay"),
    Miss("wc.plan", PLAN, "/rules/content_restriction/0/id", DELETE, "required", "stored rules always have an id"),
    Miss("wc.plan", PLAN, "/rules/content_restriction/0/discount_type", "amount", "not",
         "discount field on a content restriction rule"),
    Miss("wc.plan", PLAN, "/rules/purchasing_discount/0/discount_type", "fixed", "enum", "unknown discount type"),
    Miss("wc.plan", PLAN, "/rules/purchasing_discount/0/active", "yes", "type",
         "raw yes/no meta instead of the boolean the serializer makes"),
    Miss("wc.plan", PLAN, "/rules/purchasing_discount/0/access_schedule", {"type": "immediate"}, "not",
         "discount rules have no access schedule"),
    Miss("wc.plan", PLAN, "/rules/purchasing_discount/0/discount_amount", "five", "anyOf", "non-numeric amount"),
    Miss("wc.plan", PLAN, "/rules/content_restriction/0/object_ids/0", "page-70", "anyOf", "id that is not a number"),
    Miss("wc.plan", PLAN, "/rules/product_restriction", [{**PRODUCT_RULE, "access_type": None}], "enum",
         "product rule without a view/purchase access type"),
    Miss("wc.plan", PLAN, "/rules/product_restriction", [{k: v for k, v in PRODUCT_RULE.items() if k != "access_schedule"}],
         "required", "product rule without its schedule"),
    # wc.user-membership
    Miss("wc.user-membership", MEMBERSHIP, "/status", "wcm-active", "enum", "post status with its wcm- prefix"),
    Miss("wc.user-membership", MEMBERSHIP, "/end_date", DELETE, "required", "no end date is sent as null, not left out"),
    Miss("wc.user-membership", MEMBERSHIP, "/start_date", "2026-03-01 00:00:00", "format",
         "MySQL datetime instead of ISO 8601"),
    Miss("wc.user-membership", MEMBERSHIP, "/order_id", "567", "type", "order id as a string"),
    # inputs
    Miss(A + "plans-create-input", CREATE_PLAN, "/name", DELETE, "required", "plan without a name"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/status", "private", "enum", "create accepts draft or publish only"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/membership_length", {"type": "specific", "amount": 12}, "required",
         "specific length with no period"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/membership_length", {"type": "fixed", "start_date": "2026-01-01"},
         "required", "fixed length with no end date"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/membership_length",
         {"type": "fixed", "start_date": "01/02/2026", "end_date": "2026-12-31"}, "format", "date not in Y-m-d"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/access", {"method": "purchase"}, "required",
         "purchase access with no products"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/rules/purchasing_discount/0/active", DELETE, "required",
         "discount rule without its active flag"),
    Miss(A + "plans-create-input", CREATE_PLAN, "/rules/content_restriction/0/content_type", "page", "enum",
         "content type is post_type, taxonomy or empty"),
    Miss(A + "plans-get-input", 30, "", 0, "minimum", "ids start at 1"),
    Miss(A + "plans-get-input", 30, "", None, "type", "input left out"),
    Miss(A + "plans-get-input", 30, "", {"id": 30}, "type", "id wrapped in an object"),
    Miss(A + "plans-list-input", "002/plans-list-example-2.json", "/order", "asc", "enum", "order is upper case"),
    Miss(A + "plans-list-input", "002/plans-list-example-2.json", "/paged", 0, "minimum", "pages start at 1"),
    Miss(A + "plans-list-input", "002/plans-list-example-2.json", "/post__in", "30,31", "type", "id list as a string"),
    Miss(A + "plans-list-input", "002/plans-list-example-2.json", "", [], "type", "arguments sent as a list"),
    Miss(A + "plans-delete-input", 30, "", -1, "minimum", "negative id"),
    Miss(A + "plans-delete-input", 30, "", [30], "type", "ids as a list"),
    Miss(A + "user-memberships-create-input", "002/user-memberships-create-example-1.json", "/user_id", DELETE,
         "required", "membership for nobody"),
    Miss(A + "user-memberships-create-input", "002/user-memberships-create-example-1.json", "/plan_id", 0,
         "minimum", "plan id 0"),
    Miss(A + "user-memberships-create-input", "002/user-memberships-create-example-1.json", "/plan_id", "Gold",
         "type", "plan name instead of id"),
    Miss(A + "user-memberships-get-input", 1234, "", 0, "minimum", "ids start at 1"),
    Miss(A + "user-memberships-get-input", 1234, "", None, "type", "input left out"),
    Miss(A + "user-memberships-list-input", "002/user-memberships-list-example-2.json", "/user_id", DELETE,
         "required", "list without a user"),
    Miss(A + "user-memberships-list-input", "002/user-memberships-list-example-2.json", "/status", {"in": ["active"]},
         "type", "status filter as an object"),
    Miss(A + "user-memberships-list-input", "002/user-memberships-list-example-3.json", "/status/0", 1, "type",
         "status given as a number"),
    Miss(A + "user-memberships-delete-input", 1234, "", -5, "minimum", "negative id"),
    Miss(A + "user-memberships-delete-input", 1234, "", [1234], "type", "ids as a list"),
    # outputs
    Miss(A + "plans-create-output", PLAN, "/membership_length", {"type": "specific"}, "required",
         "specific length sent without amount and period"),
    Miss(A + "plans-create-output", PLAN, "/status", "published", "enum", "not a post status"),
    Miss(A + "plans-get-output", PLAN, "/rules/purchasing_discount/0/active", "yes", "type", "yes/no flag leaked"),
    Miss(A + "plans-get-output", PLAN, "/id", DELETE, "required", "plan without id"),
    Miss(A + "plans-delete-output", PLAN, "/id", "30", "type", "id as a string"),
    Miss(A + "plans-delete-output", PLAN, "/access", DELETE, "required", "deleted plan missing its access"),
    Miss(A + "plans-list-output", [_sample("plan")], "/0/access/method", "free", "enum", "unknown access method"),
    Miss(A + "plans-list-output", [_sample("plan")], "", _sample("plan"), "type", "single plan instead of a list"),
    Miss(A + "user-memberships-create-output", MEMBERSHIP, "/plan_id", DELETE, "required", "membership without plan"),
    Miss(A + "user-memberships-create-output", MEMBERSHIP, "/status", "wcm-pending", "enum", "prefixed status"),
    Miss(A + "user-memberships-get-output", MEMBERSHIP, "/user_id", "40", "type", "user id as a string"),
    Miss(A + "user-memberships-get-output", MEMBERSHIP, "/paused_date", "yesterday", "format", "not a date-time"),
    Miss(A + "user-memberships-delete-output", MEMBERSHIP, "/id", DELETE, "required", "deleted membership without id"),
    Miss(A + "user-memberships-delete-output", MEMBERSHIP, "/status", "deleted", "enum", "no such status"),
    Miss(A + "user-memberships-list-output", [_sample("user-membership")], "/0/status", "wcm-active", "enum",
         "prefixed status"),
    Miss(A + "user-memberships-list-output", [_sample("user-membership")], "", {}, "type",
         "PHP empty array turned object instead of a list"),
    # wordpress.rest-schema (the WordPress dialect itself)
    Miss("wordpress.rest-schema", "002/plans-create-input-schema.json", "/properties/status/enum", "draft", "type",
         "enum written as one value"),
    Miss("wordpress.rest-schema", "002/plans-create-input-schema.json",
         "/properties/membership_length/properties/amount/exclusiveMinimum", 0, "type",
         "draft-06 numeric exclusiveMinimum; WordPress reads it as a flag"),
    Miss("wordpress.rest-schema", "002/plans-create-input-schema.json", "/properties/access/properties/product_ids/items",
         [{"type": "integer"}], "type", "tuple items, which WordPress does not support"),
    Miss("wordpress.rest-schema", "002/plans-create-input-schema.json", "/properties/name/type", DELETE, "anyOf",
         "schema with no type (WordPress complains and cannot validate)"),
    Miss("wordpress.rest-schema", "002/plans-create-input-schema.json", "/properties/name/type", "text", "anyOf",
         "not a built-in type name"),
    Miss("wordpress.rest-schema", "002/plans-get-input-schema.json", "/minimum", "1", "type", "bound as a string"),
    # wordpress.ability
    Miss("wordpress.ability", ABILITY, "/meta/show_in_rest", False, "const", "hidden abilities are never listed"),
    Miss("wordpress.ability", ABILITY, "/meta/annotations/idempotent", DELETE, "required",
         "core fills every annotation, null when unset"),
    Miss("wordpress.ability", ABILITY, "/meta/annotations/readonly", "yes", "type", "annotation as a string"),
    Miss("wordpress.ability", ABILITY, "/name", "plans-get", "pattern", "name without its namespace"),
    Miss("wordpress.ability", ABILITY, "/input_schema", DELETE, "dependentRequired",
         "view context sends all schema fields together"),
    Miss("wordpress.ability", ABILITY, "/input_schema", "integer", "anyOf", "schema as a bare type name"),
    # wordpress.ability-category
    Miss("wordpress.ability-category", CATEGORY, "/slug", "WooCommerce Plans", "pattern", "label used as slug"),
    Miss("wordpress.ability-category", CATEGORY, "/label", DELETE, "required", "category without label"),
    Miss("wordpress.ability-category", CATEGORY, "/meta", "none", "anyOf", "meta as a string"),
    Miss("wordpress.ability-category", CATEGORY, "/meta", DELETE, "dependentRequired",
         "description present but meta missing"),
]
