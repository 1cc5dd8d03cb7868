"""Near-misses for the Paid Memberships Pro (pmpro/v1) contracts.

Response bases are inline payloads shaped the way the plugin builds them (see docs/pmpro.md):
database columns as strings, rounded prices as numbers. Request bases are the seed's example URLs.
"""
from tests.near_misses.miss import DELETE, Miss

# membership_level GET: PMPro_Membership_Level read back from MySQL (all strings, categories ints).
LEVEL = {
    "ID": "2", "id": "2", "name": "Gold", "description": "Full access", "confirmation": "",
    "initial_payment": "20.00", "billing_amount": "10.00", "cycle_number": "1", "cycle_period": "Month",
    "billing_limit": "0", "trial_amount": "0.00", "trial_limit": "0", "allow_signups": "1",
    "expiration_number": "0", "expiration_period": "", "categories": [3, 7],
}
# membership_level POST echo: casts from the REST code, '' for fields not sent.
LEVEL_POSTED = {
    "ID": "", "id": 9, "name": "Trial", "description": "", "confirmation": "",
    "initial_payment": 0.0, "billing_amount": 5.5, "cycle_number": 1, "cycle_period": "",
    "billing_limit": "", "trial_amount": 0.0, "trial_limit": "", "allow_signups": 1,
    "expiration_number": 0, "expiration_period": 0, "categories": [],
}
USER_LEVEL = {
    "ID": "2", "id": "2", "subscription_id": "41", "name": "Gold", "description": "Full access",
    "confirmation": "Welcome!", "expiration_number": "0", "expiration_period": "", "allow_signups": "1",
    "initial_payment": 20.0, "billing_amount": 10.0, "cycle_number": "1", "cycle_period": "Month",
    "billing_limit": "0", "trial_amount": 0.0, "trial_limit": "0", "code_id": "0",
    "startdate": "1714566000", "enddate": None,
}
CHECKOUT_LEVEL = {
    "id": "1", "code_id": "4", "level_id": "1", "initial_payment": "5.00", "billing_amount": "0.00",
    "cycle_number": "0", "cycle_period": "", "billing_limit": "0", "trial_amount": "0.00", "trial_limit": "0",
    "expiration_number": "0", "expiration_period": "", "name": "Basic", "description": "", "allow_signups": "1",
    "confirmation": "", "discount_code": "SAVE50", "initial_payment_formatted": "&#36;5.00",
}
LEVEL_ROW = {k: v for k, v in LEVEL.items() if k not in ("ID", "categories")}
LEVEL_ROW.update({"initial_payment": 20.0, "billing_amount": 10.0, "trial_amount": 0.0})
LEVELS = {"2": LEVEL_ROW, "3": dict(LEVEL_ROW, id="3", name="Silver")}
PRICING = {
    "initial_payment": "5.00", "billing_amount": "0.00", "cycle_number": "0", "cycle_period": "",
    "billing_limit": "0", "custom_trial": 0, "trial_amount": "0.00", "trial_limit": "0",
    "expiration_number": "0", "expiration_period": "",
}
DISCOUNT_CODE = {
    "id": "4", "code": "SAVE50", "starts": "2024-01-01", "expires": "2030-12-31", "uses": "0",
    "levels": {"1": PRICING},
}
ORDER = {
    "id": "17", "code": "ORD-ABC123", "user_id": "2", "membership_id": "1",
    "billing": {"name": "Ada Lovelace", "street": "1 Main St", "street2": "", "city": "London", "state": "",
                "zip": "N1", "country": "GB", "phone": ""},
    "subtotal": "10.00", "tax": 0.0, "total": "10.00", "payment_type": "", "cardtype": "Visa",
    "accountnumber": "XXXXXXXXXXXX4242", "expirationmonth": "07", "expirationyear": "2029", "status": "success",
    "gateway": "stripe", "gateway_environment": "sandbox", "payment_transaction_id": "ch_123",
    "subscription_transaction_id": "sub_123", "timestamp": 1714566000, "affiliate_id": "", "affiliate_subid": "",
    "notes": "", "checkout_id": "12",
}
EXPORT = {
    "export_id": "0b6f3c8e-1c4a-4d2b-9f1e-7a2b3c4d5e6f", "type": "members", "status": "complete",
    "total_count": 12, "processed_count": 12,
    "download_url": "https://example.com/?pmpro_restricted_file_dir=exports&pmpro_restricted_file=members-x.csv",
}
# PUT/PATCH naming no level: every unsent field false, the new id last (a real PMPro 3.8.4 answer).
LEVEL_UNKNOWN_ECHO = {
    "name": "Ghost", "description": False, "confirmation": False, "initial_payment": False, "billing_amount": False,
    "cycle_number": False, "billing_limit": False, "trial_amount": False, "allow_signups": False,
    "expiration_number": False, "expiration_period": False, "categories": False, "id": 12,
}
# discount_code write that wrote no level row: the route's own values (PUT of an existing code: id 0).
DISCOUNT_CODE_ECHO = {"id": 0, "code": "SUMMER5", "starts": "", "expires": "", "uses": 10, "levels": None}
CHANGE_ENVELOPE = {"success": True, "data": {"user_id": 2, "level_changed": 3, "response": True, "status": 200}}

CASES = [
    # ---- pmpro.level
    Miss("pmpro.level", LEVEL, "/name", 42, "type", "name is a VARCHAR column, never a number"),
    Miss("pmpro.level", LEVEL, "/initial_payment", DELETE, "required", "every level source carries its prices"),
    Miss("pmpro.level", LEVEL, "/cycle_period", "Monthly", "enum", "periods are Day/Week/Month/Year"),
    Miss("pmpro.level", LEVEL, "/categories", "3,7", "type", "the object carries categories as a list"),
    Miss("pmpro.level", LEVEL_POSTED, "/expiration_period", 1.5, "anyOf",
         "the echo is intval() of what was sent: a whole number"),
    Miss("pmpro.level", LEVEL, "/expiration_period", "Days", "anyOf",
         "a period name, or the number an update stored: never other text"),
    # ---- pmpro.level-echo-unknown
    Miss("pmpro.level-echo-unknown", LEVEL_UNKNOWN_ECHO, "/id", DELETE, "required", "save() always sets the new id"),
    Miss("pmpro.level-echo-unknown", LEVEL_UNKNOWN_ECHO, "/id", "12", "type", "the insert id is an integer"),
    Miss("pmpro.level-echo-unknown", LEVEL_UNKNOWN_ECHO, "/cycle_number", "1", "anyOf",
         "a sent count is intval()'d; an unsent one reads false"),
    Miss("pmpro.level-echo-unknown", LEVEL_UNKNOWN_ECHO, "/description", None, "anyOf",
         "an unsent field reads false through __get, never null"),
    # ---- pmpro.discount-code-echo
    Miss("pmpro.discount-code-echo", DISCOUNT_CODE_ECHO, "/id", -1, "minimum", "an id is 0 or an insert id"),
    Miss("pmpro.discount-code-echo", DISCOUNT_CODE_ECHO, "/uses", "10", "anyOf", "uses is intval() of what was sent"),
    Miss("pmpro.discount-code-echo", DISCOUNT_CODE_ECHO, "/code", DELETE, "required", "the route always sets the code"),
    Miss("pmpro.discount-code-echo", DISCOUNT_CODE_ECHO, "/levels", "[]", "anyOf",
         "levels is what json_decode made of the text, never the text"),
    # ---- pmpro.user-level
    Miss("pmpro.user-level", USER_LEVEL, "/startdate", DELETE, "required", "the join always selects startdate"),
    Miss("pmpro.user-level", USER_LEVEL, "/startdate", "2024-05-01 12:00:00", "anyOf",
         "dates are Unix timestamps here, not MySQL datetimes"),
    Miss("pmpro.user-level", USER_LEVEL, "/status", "expired", "enum", "the REST routes only read active rows"),
    # ---- pmpro.levels
    Miss("pmpro.levels", LEVELS, "/2/name", DELETE, "required", "each entry is a full level row"),
    Miss("pmpro.levels", [], "", [LEVEL_ROW], "anyOf",
         "pmpro_getAllLevels keys by id, so a non-empty answer is an object, not a list"),
    # ---- pmpro.checkout-level
    Miss("pmpro.checkout-level", CHECKOUT_LEVEL, "/initial_payment_formatted", DELETE, "required",
         "the route always adds the formatted price"),
    Miss("pmpro.checkout-level", CHECKOUT_LEVEL, "/initial_payment_formatted", 5.0, "type",
         "pmpro_formatPrice returns text"),
    Miss("pmpro.checkout-level", CHECKOUT_LEVEL, "/name", DELETE, "required", "the level row keeps its name"),
    # ---- pmpro.discount-code
    Miss("pmpro.discount-code", DISCOUNT_CODE, "/code", DELETE, "required", "a saved code always has its text"),
    Miss("pmpro.discount-code", DISCOUNT_CODE, "/levels/1/cycle_period", "monthly", "enum",
         "periods are capitalised names"),
    Miss("pmpro.discount-code", DISCOUNT_CODE, "/levels/1/custom_trial", DELETE, "required",
         "the class always fills custom_trial"),
    Miss("pmpro.discount-code", DISCOUNT_CODE, "/code", 50, "type", "codes are text"),
    # ---- pmpro.order
    Miss("pmpro.order", ORDER, "/checkout_id", DELETE, "required", "the route copies all 23 fields"),
    Miss("pmpro.order", ORDER, "/status", "paid", "enum", "not a PMPro order status"),
    Miss("pmpro.order", ORDER, "/timestamp", "2024-05-01 12:00:00", "type",
         "MemberOrder turns the datetime into a Unix timestamp"),
    Miss("pmpro.order", ORDER, "/billing/city", DELETE, "required", "the billing object always has every line"),
    Miss("pmpro.order", ORDER, "/billing", "Ada Lovelace, 1 Main St", "type", "billing is an object"),
    # ---- pmpro.post-restrictions / -set
    Miss("pmpro.post-restrictions", [{"membership_id": "1"}, {"membership_id": "3"}], "/0/membership_id",
         DELETE, "required", "each row is {membership_id}"),
    Miss("pmpro.post-restrictions", [{"membership_id": "1"}], "", {"membership_id": "1"}, "type",
         "the answer is a list of rows even for one level"),
    Miss("pmpro.post-restrictions-set", {"success": [1, 3]}, "/success", DELETE, "required",
         "the ids come back under success"),
    Miss("pmpro.post-restrictions-set", {"success": [1, 3]}, "/success/0", "1", "type",
         "the route intval()s the ids before echoing them"),
    # ---- pmpro.export / export-error
    Miss("pmpro.export", EXPORT, "/download_url", DELETE, "required", "a complete export carries its link"),
    Miss("pmpro.export", EXPORT, "/status", "done", "enum", "statuses are queued/running/complete/error/cancelled"),
    Miss("pmpro.export", EXPORT, "/export_id", "abc123", "pattern",
         "the seed's placeholder id; real ids are UUID v4"),
    Miss("pmpro.export", EXPORT, "/total_count", "12", "type", "counts are cast to int"),
    Miss("pmpro.export-error", {"error": "No export found.", "http_status": 200}, "/error", DELETE, "required",
         "the error sentence is the point of the answer"),
    Miss("pmpro.export-error", {"error": "No export found.", "http_status": 200}, "/http_status", 404, "const",
         "export/status never reports 404 for a missing export"),
    # ---- plain answers
    Miss("pmpro.message", "000/export-start-missing-type.json#/error", "", {"message": "Missing export type."},
         "type", "the plugin sends the bare string, not an object"),
    Miss("pmpro.false", False, "", None, "const", "an unknown user gives false, not null"),
    Miss("pmpro.empty-object", {}, "/id", 0, "maxProperties", "unknown ids give an object without fields"),
    Miss("pmpro.error-object", {"error": "No post ID provided."}, "/error", DELETE, "required",
         "the object carries one error field"),
    Miss("pmpro.error-object", {"error": "No post ID provided."}, "/error", ["No post ID provided."], "type",
         "one sentence, not a list"),
    Miss("pmpro.boolean", True, "", "true", "type", "has_membership_access sends a JSON boolean"),
    Miss("pmpro.change-result", True, "", 1, "type", "pmpro_changeMembershipLevel returns true/false/null"),
    Miss("pmpro.delete-result", True, "", "Level deleted.", "anyOf", "only the three partial-deletion sentences"),
    Miss("pmpro.json-envelope", CHANGE_ENVELOPE, "/success", DELETE, "required", "wp_send_json_* always sets success"),
    Miss("pmpro.json-envelope", CHANGE_ENVELOPE, "/success", "true", "type", "success is a JSON boolean"),
    Miss("pmpro.rest-methods", "000/default-rest-methods.json", "/1", "OPTIONS", "enum",
         "only the methods PMPro routes register"),
    Miss("pmpro.rest-methods", "000/default-rest-methods.json", "/3", "GET", "uniqueItems", "a method is listed once"),
    # ---- requests
    Miss("pmpro.requests.has-membership-access", "000/url-has-membership-access.json", "/post_id", DELETE,
         "required", "the post to check is needed"),
    Miss("pmpro.requests.has-membership-access", "000/url-has-membership-access.json", "/user_id", DELETE,
         "anyOf", "without user_id or email the route answers 404"),
    Miss("pmpro.requests.has-membership-access", "000/url-has-membership-access.json", "/post_id", "fifty-eight",
         "anyOf", "ids are digits"),
    Miss("pmpro.requests.get-membership-level-for-user", "000/url-get-membership-level-for-user.json", "/user_id",
         DELETE, "anyOf", "the user must be named"),
    Miss("pmpro.requests.get-membership-level-for-user", "000/url-get-membership-level-for-user.json", "/user_id",
         "me", "anyOf", "user ids are digits"),
    Miss("pmpro.requests.get-membership-levels-for-user", "000/url-get-membership-levels-for-user.json", "/email",
         "not-an-email", "format", "email lookups need an address"),
    Miss("pmpro.requests.change-membership-level", "000/url-change-membership-level.json", "/level_id", DELETE,
         "required", "the target level is needed"),
    Miss("pmpro.requests.change-membership-level", "000/url-change-membership-level.json", "/create_user", "maybe",
         "anyOf", "FILTER_VALIDATE_BOOLEAN words only"),
    Miss("pmpro.requests.change-membership-level", "000/url-change-membership-level.json", "/user_login", "",
         "minLength", "an empty login cannot create a user"),
    Miss("pmpro.requests.cancel-membership-level", "000/url-cancel-membership-level.json", "/level_id", DELETE,
         "required", "an empty level_id gives 400"),
    Miss("pmpro.requests.cancel-membership-level", "000/url-cancel-membership-level.json", "/level_id", "0",
         "anyOf", "level 0 is not a level to cancel"),
    Miss("pmpro.requests.membership-level-get", "000/url-membership-level.json", "/id", DELETE, "required",
         "without id the route answers 400"),
    Miss("pmpro.requests.membership-level-get", "000/url-membership-level.json", "/id", "0", "anyOf",
         "id 0 counts as missing and answers 400"),
    Miss("pmpro.requests.membership-level", {"name": "Gold", "initial_payment": "20"}, "/name", DELETE, "required",
         "a new level needs a name"),
    Miss("pmpro.requests.membership-level", {"name": "Gold", "initial_payment": "20"}, "/cycle_period", "monthly",
         "enum", "pmpro_sanitize_period names"),
    Miss("pmpro.requests.membership-level", {"name": "Gold", "categories": "1,2"}, "/categories", [1, 2], "type",
         "sanitize_text_field empties an array; send a comma list"),
    Miss("pmpro.requests.membership-level-update", {"id": "5", "name": "Gold+"}, "/id", DELETE, "required",
         "PUT/PATCH without id answers false"),
    Miss("pmpro.requests.membership-level-update", {"id": "5", "name": "Gold+"}, "/id", "gold", "anyOf",
         "ids are digits"),
    Miss("pmpro.requests.membership-level-delete", {"id": "5"}, "/id", DELETE, "required",
         "without id the route answers 400"),
    Miss("pmpro.requests.membership-levels", "000/url-membership-levels.json", "/response_type", ["json"], "type",
         "response_type is a single word"),
    Miss("pmpro.requests.discount-code-get", "000/url-discount-code.json", "/code", DELETE, "required",
         "without code the route answers 400"),
    Miss("pmpro.requests.discount-code-get", "000/url-discount-code.json", "/code", "", "minLength",
         "an empty code gives 400"),
    Miss("pmpro.requests.discount-code", {"code": "SAVE50", "levels": '[{"level": 1, "initial_payment": 10}]'},
         "/levels", [{"level": 1, "initial_payment": 10}], "type",
         "levels must be JSON text; an array is emptied by sanitize_text_field"),
    Miss("pmpro.requests.discount-code", {"code": "SAVE50", "expires": "2030-12-31"}, "/expires", "31/12/2030",
         "anyOf", "dates are YYYY-MM-DD"),
    Miss("pmpro.requests.order", "000/url-order.json", "/code", DELETE, "required", "without code the route answers 400"),
    Miss("pmpro.requests.order", "000/url-order.json", "/code", 123, "type", "the code is text"),
    Miss("pmpro.requests.checkout-level", "000/url-checkout-level.json", "/level_id", DELETE, "anyOf",
         "without a level the route answers 400"),
    Miss("pmpro.requests.checkout-level", "000/url-checkout-level.json", "/discount_code", "SAVE 50%", "pattern",
         "pmpro_getLevelAtCheckout strips anything but letters, digits and dashes"),
    Miss("pmpro.requests.post-restrictions-get", "000/url-post-restrictions.json", "/post_id", DELETE, "required",
         "the post to inspect is needed"),
    Miss("pmpro.requests.post-restrictions", {"post_id": "42", "level_ids": ["1", "2"]}, "/level_ids", "1,2",
         "type", "a scalar level_ids makes array_map fail with a 500"),
    Miss("pmpro.requests.post-restrictions", {"post_id": "42", "level_ids": []}, "/level_ids", DELETE, "required",
         "a missing list answers 400; [] lifts restrictions"),
    Miss("pmpro.requests.export-start", {"type": "members", "l": "2"}, "/type", DELETE, "required",
         "the seed's 'Missing export type.' case"),
    Miss("pmpro.requests.export-start", {"type": "members", "l": "2"}, "/type", "subscriptions", "enum",
         "only members and orders exports exist"),
    Miss("pmpro.requests.export-start", {"type": "orders", "total": "paid"}, "/total", "all", "enum",
         "the orders filter knows paid and free"),
    Miss("pmpro.requests.export-status", "000/url-export-status.json", "/type", DELETE, "required",
         "a missing type answers 400"),
    Miss("pmpro.requests.export-status", "000/url-export-status.json", "/type", "member", "enum",
         "the type is plural"),
    Miss("pmpro.requests.empty-query", "000/url-export-start.json", "/type", "members", "maxProperties",
         "export/start reads type from the body, not from this example URL"),
]
