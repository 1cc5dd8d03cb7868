"""The one list of requests the differential sends to the real site and to the mock.

Requests are data: who sends them (``admin``, ``subscriber``, ``anonymous``, ``wrong-password``,
``unknown-user``), the method, the path (or the ``?rest_route=`` form), query, body, and what to
remember from the answer for later requests. Values may name the seeded data with placeholders,
``{users.alice}``, ``{orders.alice.code}``, ``{plans.gold}``, resolved from the real site's ids
(the mock holds the same data), and ``{created.NAME}``, what an earlier answer on the same side
said (a new level's id, an export's id).

The order matters: writes happen to both sites in the same sequence, so their data stays equal.
``coverage()`` checks the list reaches every PMPro operation of the contract as an administrator,
a subscriber and anonymously, and every ability with its own method, another method, bad input
and without permission.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

PMPRO = "/wp-json/pmpro/v1"
ABILITIES = "/wp-json/wp-abilities/v1"
WC = "woocommerce-memberships"
IDENTITIES = ("admin", "subscriber", "anonymous")
NO_BODY = object()


@dataclass(frozen=True)
class Req:
    name: str
    method: str
    path: str                       # under the site root, e.g. /wp-json/pmpro/v1/order
    who: str = "admin"
    query: dict = field(default_factory=dict)
    json: object = NO_BODY          # a JSON body
    form: dict | None = None        # a form-encoded body
    raw: str | None = None          # a body sent as is, with Content-Type: application/json
    rest_route: bool = False        # send as /?rest_route=/pmpro/v1/... instead of /wp-json/...
    capture: tuple = ()             # ((name, JSON pointer), ...) remembered from the answer

    @property
    def label(self) -> str:
        return f"{self.method} {self.path.replace('/wp-json', '')}"


_HOLE = re.compile(r"\{([a-z_][a-z0-9_.-]*)\}")


def resolve(value, context: dict):
    """Placeholders replaced from ``context`` (nested dicts); a lone placeholder keeps its type."""
    if isinstance(value, str):
        whole = _HOLE.fullmatch(value)
        if whole:
            return _lookup(context, whole.group(1))
        return _HOLE.sub(lambda m: str(_lookup(context, m.group(1))), value)
    if isinstance(value, dict):
        return {resolve(k, context): resolve(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, context) for v in value]
    return value


def _lookup(context: dict, dotted: str):
    node = context
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no value for {{{dotted}}}")
        node = node[part]
    return node


def _each(name, method, path, **kw) -> list[Req]:
    return [Req(f"{name} as {who}", method, path, who=who, **kw) for who in IDENTITIES]


def pmpro() -> list[Req]:
    P = PMPRO
    out: list[Req] = []
    # -- reads, every identity ---------------------------------------------------------------
    out += _each("has_membership_access alice gold post", "GET", f"{P}/has_membership_access",
                 query={"post_id": "{posts.gold}", "user_id": "{users.alice}"})
    out += _each("get_membership_level_for_user alice", "GET", f"{P}/get_membership_level_for_user",
                 query={"user_id": "{users.alice}"})
    out += _each("get_membership_levels_for_user bob", "GET", f"{P}/get_membership_levels_for_user",
                 query={"user_id": "{users.bob}"})
    out += _each("membership_level gold", "GET", f"{P}/membership_level", query={"id": "{levels.gold}"})
    out += _each("membership_levels", "GET", f"{P}/membership_levels")
    out += _each("discount_code SAVE50", "GET", f"{P}/discount_code", query={"code": "SAVE50"})
    out += _each("order of alice", "GET", f"{P}/order", query={"code": "{orders.alice.code}"})
    out += [Req("order of bob as subscriber alice", "GET", f"{P}/order", who="subscriber",
                query={"code": "{orders.bob.code}"}),
            Req("order of alice by id as subscriber alice", "GET", f"{P}/order", who="subscriber",
                query={"code": "{orders.alice.id}"})]
    out += _each("checkout_level gold with SAVE50", "GET", f"{P}/checkout_level",
                 query={"level_id": "{levels.gold}", "discount_code": "SAVE50"})
    out += _each("post_restrictions gold post", "GET", f"{P}/post_restrictions", query={"post_id": "{posts.gold}"})
    out += _each("export/status members", "GET", f"{P}/export/status", query={"type": "members"})
    # -- the routes the plugin registers beyond its documentation --------------------------------
    out += _each("namespace index", "GET", P)
    out += _each("me", "GET", f"{P}/me")
    out += _each("recent_memberships", "GET", f"{P}/recent_memberships", query={"limit": "5"})
    out += _each("recent_orders", "GET", f"{P}/recent_orders", query={"limit": "5"})
    out += _each("checkout_levels gold", "GET", f"{P}/checkout_levels", query={"level_id": "{levels.gold}"})
    out += _each("quick_search alice", "GET", f"{P}/quick_search", query={"search": "alice"})
    out += _each("email_log_popup 1", "GET", f"{P}/email_log_popup", query={"log_id": "1"})
    # -- missing, wrong and unknown parameters ---------------------------------------------------
    out += [
        Req("has_membership_access without a user", "GET", f"{P}/has_membership_access", query={"post_id": "{posts.gold}"}),
        Req("has_membership_access unknown email", "GET", f"{P}/has_membership_access",
            query={"post_id": "{posts.gold}", "email": "nobody@example.org"}),
        Req("has_membership_access by email", "GET", f"{P}/has_membership_access",
            query={"post_id": "{posts.annual}", "email": "bob@example.org"}),
        Req("has_membership_access public post carol", "GET", f"{P}/has_membership_access",
            query={"post_id": "{posts.public}", "user_id": "{users.carol}"}),
        Req("has_membership_access user_id=abc", "GET", f"{P}/has_membership_access",
            query={"post_id": "{posts.gold}", "user_id": "abc"}),
        Req("get_membership_level_for_user without a user", "GET", f"{P}/get_membership_level_for_user"),
        Req("get_membership_level_for_user unknown user", "GET", f"{P}/get_membership_level_for_user",
            query={"user_id": "987654"}),
        Req("get_membership_level_for_user carol (none)", "GET", f"{P}/get_membership_level_for_user",
            query={"user_id": "{users.carol}"}),
        Req("get_membership_levels_for_user by email", "GET", f"{P}/get_membership_levels_for_user",
            query={"email": "alice@example.org"}),
        Req("get_membership_levels_for_user unknown email", "GET", f"{P}/get_membership_levels_for_user",
            query={"email": "nobody@example.org"}),
        Req("get_membership_levels_for_user carol (none)", "GET", f"{P}/get_membership_levels_for_user",
            query={"user_id": "{users.carol}"}),
        Req("membership_level without id", "GET", f"{P}/membership_level"),
        Req("membership_level unknown id", "GET", f"{P}/membership_level", query={"id": "987654"}),
        Req("membership_level id=abc", "GET", f"{P}/membership_level", query={"id": "abc"}),
        Req("membership_level annual as subscriber", "GET", f"{P}/membership_level", who="subscriber",
            query={"id": "{levels.annual}"}),
        Req("membership_level response_type=json", "GET", f"{P}/membership_level",
            query={"id": "{levels.annual}", "response_type": "json"}),
        Req("membership_levels response_type=json", "GET", f"{P}/membership_levels", query={"response_type": "json"}),
        Req("discount_code without code", "GET", f"{P}/discount_code"),
        Req("discount_code unknown", "GET", f"{P}/discount_code", query={"code": "NOSUCHCODE"}),
        Req("discount_code by id", "GET", f"{P}/discount_code", query={"code": "{discount_codes.SAVE50}"}),
        Req("order without code", "GET", f"{P}/order"),
        Req("order unknown code", "GET", f"{P}/order", query={"code": "NOSUCHCODE"}),
        Req("order by id", "GET", f"{P}/order", query={"code": "{orders.bob.id}"}),
        Req("checkout_level without level", "GET", f"{P}/checkout_level"),
        Req("checkout_level unknown level", "GET", f"{P}/checkout_level", query={"level_id": "987654"}),
        Req("checkout_level level=abc", "GET", f"{P}/checkout_level", query={"level": "abc"}),
        Req("checkout_level pmpro_level", "GET", f"{P}/checkout_level", query={"pmpro_level": "{levels.annual}"}),
        Req("checkout_level level beyond PHP_INT_MAX", "GET", f"{P}/checkout_level",
            query={"pmpro_level": "1721909133834", "level_id": "64025794482"}),
        Req("checkout_level unknown discount code", "GET", f"{P}/checkout_level",
            query={"level_id": "{levels.gold}", "discount_code": "NOSUCHCODE"}),
        Req("post_restrictions without post_id", "GET", f"{P}/post_restrictions"),
        Req("post_restrictions unknown post", "GET", f"{P}/post_restrictions", query={"post_id": "987654"}),
        Req("post_restrictions public post", "GET", f"{P}/post_restrictions", query={"post_id": "{posts.public}"}),
        Req("export/status without type", "GET", f"{P}/export/status"),
        Req("export/status unknown export", "GET", f"{P}/export/status",
            query={"type": "orders", "export_id": "00000000-0000-4000-8000-000000000000"}),
        Req("export/status other type as subscriber", "GET", f"{P}/export/status", who="subscriber",
            query={"type": "widgets"}),
    ]
    # -- routing: trailing slash, ?rest_route=, wrong methods, credentials --------------------------
    out += [
        Req("membership_levels trailing slash", "GET", f"{P}/membership_levels/"),
        Req("membership_level trailing slash", "GET", f"{P}/membership_level/", query={"id": "{levels.gold}"}),
        Req("membership_level via rest_route", "GET", f"{P}/membership_level", rest_route=True,
            query={"id": "{levels.gold}"}),
        Req("order via rest_route as subscriber", "GET", f"{P}/order", who="subscriber", rest_route=True,
            query={"code": "{orders.alice.code}"}),
        Req("change_membership_level GET", "GET", f"{P}/change_membership_level", query={"user_id": "{users.carol}"}),
        Req("membership_levels POST", "POST", f"{P}/membership_levels", json={}),
        Req("order DELETE", "DELETE", f"{P}/order", query={"code": "{orders.alice.code}"}),
        Req("membership_level DELETE (not enabled)", "DELETE", f"{P}/membership_level", query={"id": "987654"}),
        Req("membership_level DELETE anonymous", "DELETE", f"{P}/membership_level", who="anonymous",
            query={"id": "987654"}),
        Req("unknown route", "GET", f"{P}/no_such_route"),
        Req("membership_levels wrong password", "GET", f"{P}/membership_levels", who="wrong-password"),
        Req("order wrong password", "GET", f"{P}/order", who="wrong-password", query={"code": "{orders.alice.code}"}),
        Req("membership_levels unknown user", "GET", f"{P}/membership_levels", who="unknown-user"),
        Req("change_membership_level invalid JSON", "POST", f"{P}/change_membership_level",
            raw='{"user_id": 4, "level_id":'),
    ]
    # -- writes, in an order both sites replay alike -------------------------------------------------
    for method in ("POST", "PUT", "PATCH"):
        out += [Req(f"change_membership_level {method} as {who}", method, f"{P}/change_membership_level", who=who,
                    json={"user_id": "{users.carol}", "level_id": "{levels.free}"}) for who in ("subscriber", "anonymous")]
    out += [
        Req("change_membership_level carol to free", "POST", f"{P}/change_membership_level",
            json={"user_id": "{users.carol}", "level_id": "{levels.free}"}),
        Req("change_membership_level carol to free again", "PUT", f"{P}/change_membership_level",
            json={"user_id": "{users.carol}", "level_id": "{levels.free}"}),
        Req("get_membership_levels_for_user carol (free)", "GET", f"{P}/get_membership_levels_for_user",
            query={"user_id": "{users.carol}"}),
        Req("change_membership_level unknown level", "PATCH", f"{P}/change_membership_level",
            json={"user_id": "{users.carol}", "level_id": "987654"}),
        Req("change_membership_level without user", "POST", f"{P}/change_membership_level", json={"level_id": "{levels.free}"}),
        Req("change_membership_level unknown email", "POST", f"{P}/change_membership_level",
            json={"email": "nobody@example.org", "level_id": "{levels.free}"}),
        Req("change_membership_level of the admin", "POST", f"{P}/change_membership_level",
            json={"user_id": "{users.admin}", "level_id": "{levels.free}"}),
        Req("change_membership_level response_type=json", "POST", f"{P}/change_membership_level",
            json={"user_id": "{users.carol}", "level_id": "{levels.free}", "response_type": "json"}),
        Req("change_membership_level as form", "POST", f"{P}/change_membership_level",
            form={"user_id": "{users.carol}", "level_id": "{levels.free}"}),
    ]
    for method in ("POST", "PUT", "PATCH"):
        out += [Req(f"cancel_membership_level {method} as {who}", method, f"{P}/cancel_membership_level", who=who,
                    json={"user_id": "{users.carol}", "level_id": "{levels.free}"}) for who in ("subscriber", "anonymous")]
    out += [
        Req("cancel_membership_level carol free", "POST", f"{P}/cancel_membership_level",
            json={"user_id": "{users.carol}", "level_id": "{levels.free}"}),
        Req("cancel_membership_level not held", "PATCH", f"{P}/cancel_membership_level",
            json={"user_id": "{users.carol}", "level_id": "{levels.free}"}),
        Req("cancel_membership_level without level", "PUT", f"{P}/cancel_membership_level", json={"user_id": "{users.carol}"}),
        Req("cancel_membership_level without user", "POST", f"{P}/cancel_membership_level", json={"level_id": "{levels.free}"}),
        Req("cancel_membership_level response_type=json", "POST", f"{P}/cancel_membership_level",
            json={"user_id": "{users.carol}", "level_id": "{levels.free}", "response_type": "json"}),
    ]
    for method in ("POST", "PUT", "PATCH"):
        out += [Req(f"membership_level {method} as {who}", method, f"{P}/membership_level", who=who,
                    json={"name": "Denied"}) for who in ("subscriber", "anonymous")]
    out += [
        Req("membership_level create", "POST", f"{P}/membership_level",
            json={"name": "Silver", "description": "Made by the differential", "initial_payment": "5",
                  "billing_amount": "5", "cycle_number": "1", "cycle_period": "Month", "allow_signups": "1"},
            capture=(("level", "/id"),)),
        Req("membership_level read the new level", "GET", f"{P}/membership_level", query={"id": "{created.level}"}),
        Req("membership_level update", "PUT", f"{P}/membership_level",
            json={"id": "{created.level}", "name": "Silver Plus", "billing_amount": "7"}),
        Req("membership_level patch without id", "PATCH", f"{P}/membership_level", json={"name": "No id"}),
        Req("membership_level update unknown id", "PUT", f"{P}/membership_level", json={"id": 987654, "name": "Ghost"},
            capture=(("ghost_level", "/id"),)),
        Req("membership_level read the level an unknown id made", "GET", f"{P}/membership_level",
            query={"id": "{created.ghost_level}"}),
        Req("membership_level read the updated level", "GET", f"{P}/membership_level", query={"id": "{created.level}"}),
    ]
    for method in ("POST", "PUT", "PATCH"):
        out += [Req(f"discount_code {method} as {who}", method, f"{P}/discount_code", who=who,
                    json={"code": "DENIED"}) for who in ("subscriber", "anonymous")]
    out += [
        Req("discount_code create", "POST", f"{P}/discount_code",
            json={"code": "DIFF10", "uses": "10", "starts": "2025-01-01", "expires": "2035-01-01",
                  "levels": '[{"level": 2, "initial_payment": 18, "billing_amount": 18, "cycle_number": 1, "cycle_period": "Month"}]'}),
        Req("discount_code create existing", "POST", f"{P}/discount_code", json={"code": "SAVE50"}),
        Req("discount_code read the new code", "GET", f"{P}/discount_code", query={"code": "DIFF10"}),
        Req("discount_code update", "PUT", f"{P}/discount_code", json={"code": "DIFF10", "uses": "20"}),
        Req("discount_code patch", "PATCH", f"{P}/discount_code", json={"code": "DIFF10", "expires": "2036-01-01"}),
        Req("discount_code read after the update", "GET", f"{P}/discount_code", query={"code": "DIFF10"}),
        Req("discount_code create without dates", "POST", f"{P}/discount_code", json={"code": "NODATES", "uses": "3"}),
        Req("discount_code read the one without dates", "GET", f"{P}/discount_code", query={"code": "NODATES"}),
        Req("discount_code create by PUT", "PUT", f"{P}/discount_code",
            json={"code": "PUTNEW", "starts": "2025-02-01", "expires": "2030-02-01"}),
        Req("discount_code create existing by id", "POST", f"{P}/discount_code", json={"code": "{discount_codes.SAVE50}"}),
        Req("checkout_level with the new code", "GET", f"{P}/checkout_level",
            query={"level_id": "{levels.gold}", "discount_code": "DIFF10"}),
    ]
    for method in ("POST", "PUT", "PATCH"):
        out += [Req(f"post_restrictions {method} as {who}", method, f"{P}/post_restrictions", who=who,
                    json={"post_id": "{posts.public}", "level_ids": ["{levels.free}"]}) for who in ("subscriber", "anonymous")]
    out += [
        Req("post_restrictions set public post", "POST", f"{P}/post_restrictions",
            json={"post_id": "{posts.public}", "level_ids": ["{levels.free}", "{levels.gold}"]}),
        Req("post_restrictions read back", "GET", f"{P}/post_restrictions", query={"post_id": "{posts.public}"}),
        Req("has_membership_access now restricted", "GET", f"{P}/has_membership_access",
            query={"post_id": "{posts.public}", "user_id": "{users.bob}"}),
        Req("post_restrictions clear", "PUT", f"{P}/post_restrictions", json={"post_id": "{posts.public}", "level_ids": []}),
        Req("post_restrictions without level_ids", "PATCH", f"{P}/post_restrictions", json={"post_id": "{posts.public}"}),
        Req("post_restrictions set unknown post", "POST", f"{P}/post_restrictions",
            json={"post_id": "987654", "level_ids": ["{levels.free}"]}),
    ]
    for method in ("POST", "PUT", "PATCH"):
        out += [Req(f"export/start {method} as {who}", method, f"{P}/export/start", who=who,
                    json={"type": "members"}) for who in ("subscriber", "anonymous")]
    out += [
        Req("export/start without type", "POST", f"{P}/export/start", json={}),
        Req("export/start other type", "POST", f"{P}/export/start", json={"type": "widgets"}),
        Req("export/start members", "POST", f"{P}/export/start", json={"type": "members"},
            capture=(("export", "/export_id"),)),
        Req("export/status of that export", "GET", f"{P}/export/status",
            query={"type": "members", "export_id": "{created.export}"}),
        Req("export/start orders", "PUT", f"{P}/export/start", json={"type": "orders"}),
        Req("export/start members again", "PATCH", f"{P}/export/start", json={"type": "members"}),
    ]
    return out


def _run(ability: str) -> str:
    return f"{ABILITIES}/abilities/{WC}/{ability}/run"


def abilities() -> list[Req]:
    A = ABILITIES
    out = [
        Req("abilities list", "GET", f"{A}/abilities", query={"category": "woocommerce-membership-plans"}),
        Req("abilities list user memberships", "GET", f"{A}/abilities", query={"category": "woocommerce-user-memberships"}),
        Req("abilities list page 2", "GET", f"{A}/abilities",
            query={"category": "woocommerce-user-memberships", "per_page": "3", "page": "2"}),
        Req("abilities list context=embed", "GET", f"{A}/abilities",
            query={"category": "woocommerce-membership-plans", "context": "embed"}),
        Req("abilities list per_page=0", "GET", f"{A}/abilities", query={"per_page": "0"}),
        Req("abilities list per_page=abc", "GET", f"{A}/abilities", query={"per_page": "abc"}),
        Req("abilities list context=bad", "GET", f"{A}/abilities", query={"context": "everything"}),
        Req("abilities list page 2^62", "GET", f"{A}/abilities", query={"page": str(2**62)}),
        Req("categories list page 2^62", "GET", f"{A}/categories", query={"page": str(2**62)}),
        Req("abilities list page past the end", "GET", f"{A}/abilities",
            query={"category": "woocommerce-membership-plans", "page": "9"}),
        Req("abilities list as subscriber", "GET", f"{A}/abilities", who="subscriber",
            query={"category": "woocommerce-membership-plans"}),
        Req("abilities list anonymous", "GET", f"{A}/abilities", who="anonymous"),
        Req("abilities list trailing slash", "GET", f"{A}/abilities/", query={"category": "woocommerce-membership-plans"}),
        Req("abilities list via rest_route", "GET", f"{A}/abilities", rest_route=True,
            query={"category": "woocommerce-user-memberships"}),
        Req("abilities list wrong password", "GET", f"{A}/abilities", who="wrong-password"),
        Req("unknown ability", "GET", f"{A}/abilities/{WC}/no-such-ability"),
        Req("ability name outside the route pattern", "GET", f"{A}/abilities/{WC}/plans_get"),
        Req("unknown ability run", "POST", f"{A}/abilities/{WC}/no-such-ability/run", json={"input": {}}),
        Req("categories list", "GET", f"{A}/categories", query={"per_page": "100"}),
        Req("category plans", "GET", f"{A}/categories/woocommerce-membership-plans"),
        Req("category plans as subscriber", "GET", f"{A}/categories/woocommerce-membership-plans", who="subscriber"),
        Req("category plans anonymous", "GET", f"{A}/categories/woocommerce-membership-plans", who="anonymous"),
        Req("unknown category", "GET", f"{A}/categories/no-such-category"),
        Req("category outside the route pattern", "GET", f"{A}/categories/Not_A_Slug"),
    ]
    names = ("plans-create", "plans-get", "plans-list", "plans-delete",
             "user-memberships-create", "user-memberships-get", "user-memberships-list", "user-memberships-delete")
    for name in names:
        out += [Req(f"ability {name}", "GET", f"{A}/abilities/{WC}/{name}"),
                Req(f"ability {name} as subscriber", "GET", f"{A}/abilities/{WC}/{name}", who="subscriber")]
    R = _run
    out += [
        # reads, with their method (GET: input in the query)
        Req("run plans-get", "GET", R("plans-get"), query={"input": "{plans.gold}"}),
        Req("run plans-get unknown", "GET", R("plans-get"), query={"input": "987654"}),
        Req("run plans-get bad input", "GET", R("plans-get"), query={"input": "gold"}),
        Req("run plans-get no input", "GET", R("plans-get")),
        Req("run plans-get with POST", "POST", R("plans-get"), json={"input": "{plans.gold}"}),
        Req("run plans-get with DELETE", "DELETE", R("plans-get"), query={"input": "{plans.gold}"}),
        Req("run plans-get as subscriber", "GET", R("plans-get"), who="subscriber", query={"input": "{plans.gold}"}),
        Req("run plans-get anonymous", "GET", R("plans-get"), who="anonymous", query={"input": "{plans.gold}"}),
        Req("run plans-get anonymous, bad input", "GET", R("plans-get"), who="anonymous", query={"input": "gold"}),
        Req("run plans-get anonymous with POST", "POST", R("plans-get"), who="anonymous", json={"input": 1}),
        Req("run plans-get via rest_route", "GET", R("plans-get"), rest_route=True, query={"input": "{plans.community}"}),
        Req("run plans-list", "GET", R("plans-list")),
        Req("run plans-list any status", "GET", R("plans-list"), query={"input[post_status]": "any", "input[orderby]": "ID",
                                                                            "input[order]": "ASC"}),
        Req("run plans-list by ids", "GET", R("plans-list"), query={"input[post__in][]": "{plans.gold}"}),
        Req("run plans-list bad input", "GET", R("plans-list"), query={"input[posts_per_page]": "many"}),
        Req("run plans-list with POST", "POST", R("plans-list"), json={"input": {}}),
        Req("run user-memberships-list", "GET", R("user-memberships-list"), query={"input[user_id]": "{users.alice}"}),
        Req("run user-memberships-list by status", "GET", R("user-memberships-list"),
            query={"input[user_id]": "{users.carol}", "input[status][]": "cancelled"}),
        Req("run user-memberships-list no input", "GET", R("user-memberships-list")),
        Req("run user-memberships-list unknown user", "GET", R("user-memberships-list"), query={"input[user_id]": "987654"}),
        Req("run user-memberships-list as subscriber", "GET", R("user-memberships-list"), who="subscriber",
            query={"input[user_id]": "{users.alice}"}),
        Req("run user-memberships-get", "GET", R("user-memberships-get"), query={"input": "{user_memberships.alice_gold}"}),
        Req("run user-memberships-get unknown", "GET", R("user-memberships-get"), query={"input": "987654"}),
        Req("run user-memberships-get zero", "GET", R("user-memberships-get"), query={"input": "0"}),
        Req("run user-memberships-get with POST", "POST", R("user-memberships-get"),
            json={"input": "{user_memberships.alice_gold}"}),
        Req("run user-memberships-list with DELETE", "DELETE", R("user-memberships-list"),
            query={"input[user_id]": "{users.alice}"}),
        # writes, with their method (POST: input in a JSON body)
        Req("run plans-create with GET", "GET", R("plans-create"), query={"input[name]": "Wrong method"}),
        Req("run plans-create as subscriber", "POST", R("plans-create"), who="subscriber", json={"input": {"name": "Denied"}}),
        Req("run plans-create anonymous", "POST", R("plans-create"), who="anonymous", json={"input": {"name": "Denied"}}),
        Req("run plans-create without name", "POST", R("plans-create"), json={"input": {"status": "draft"}}),
        Req("run plans-create bad status", "POST", R("plans-create"), json={"input": {"name": "X", "status": "gone"}}),
        Req("run plans-create input as form", "POST", R("plans-create"), form={"input[name]": "Form plan"}),
        Req("run plans-create invalid JSON", "POST", R("plans-create"), raw='{"input": {"name": '),
        Req("run plans-create purchase without products", "POST", R("plans-create"),
            json={"input": {"name": "Broken", "access": {"method": "purchase"}}}),
        Req("run plans-create", "POST", R("plans-create"),
            json={"input": {"name": "Silver Circle", "description": "Made by the differential",
                            "access": {"method": "signup"},
                            "membership_length": {"type": "specific", "amount": 6, "period": "months"}}},
            capture=(("plan", "/id"),)),
        Req("run plans-get the new plan", "GET", R("plans-get"), query={"input": "{created.plan}"}),
        Req("run user-memberships-create", "POST", R("user-memberships-create"),
            json={"input": {"plan_id": "{created.plan}", "user_id": "{users.carol}"}}, capture=(("membership", "/id"),)),
        Req("run user-memberships-create again", "POST", R("user-memberships-create"),
            json={"input": {"plan_id": "{created.plan}", "user_id": "{users.carol}"}}),
        Req("run user-memberships-create as subscriber", "POST", R("user-memberships-create"), who="subscriber",
            json={"input": {"plan_id": "{plans.gold}", "user_id": "{users.alice}"}}),
        Req("run user-memberships-create anonymous", "POST", R("user-memberships-create"), who="anonymous",
            json={"input": {"plan_id": "{plans.gold}", "user_id": "{users.alice}"}}),
        Req("run user-memberships-create unknown plan", "POST", R("user-memberships-create"),
            json={"input": {"plan_id": 987654, "user_id": "{users.carol}"}}),
        Req("run user-memberships-create missing user_id", "POST", R("user-memberships-create"),
            json={"input": {"plan_id": "{plans.gold}"}}),
        Req("run user-memberships-create with GET", "GET", R("user-memberships-create"),
            query={"input[plan_id]": "{plans.gold}", "input[user_id]": "{users.carol}"}),
        Req("run user-memberships-get the new one", "GET", R("user-memberships-get"), query={"input": "{created.membership}"}),
        Req("run plans-delete with DELETE", "DELETE", R("plans-delete"), query={"input": "{created.plan}"}),
        Req("run plans-delete in use", "POST", R("plans-delete"), json={"input": "{created.plan}"}),
        Req("run user-memberships-delete with DELETE", "DELETE", R("user-memberships-delete"),
            query={"input": "{created.membership}"}),
        Req("run user-memberships-delete as subscriber", "POST", R("user-memberships-delete"), who="subscriber",
            json={"input": "{created.membership}"}),
        Req("run user-memberships-delete", "POST", R("user-memberships-delete"), json={"input": "{created.membership}"}),
        Req("run user-memberships-delete again", "POST", R("user-memberships-delete"), json={"input": "{created.membership}"}),
        Req("run user-memberships-delete bad input", "POST", R("user-memberships-delete"), json={"input": "all"}),
        Req("run plans-delete", "POST", R("plans-delete"), json={"input": "{created.plan}"}),
        Req("run plans-delete again", "POST", R("plans-delete"), json={"input": "{created.plan}"}),
        Req("run plans-delete as subscriber", "POST", R("plans-delete"), who="subscriber", json={"input": "{plans.preview}"}),
        Req("run plans-delete with members", "POST", R("plans-delete"), json={"input": "{plans.community}"}),
        Req("run plans-delete bad input", "POST", R("plans-delete"), json={"input": -3}),
    ]
    return out


def all_requests() -> list[Req]:
    out = pmpro() + abilities()
    names = [r.name for r in out]
    assert len(names) == len(set(names)), "request names must be unique"
    return out


def coverage(reqs: list[Req]) -> list[str]:
    """What the list misses of what the differential promises (empty when complete)."""
    from conformance import contract

    missing = []
    sent = {(r.method, r.path.rstrip("/"), r.who) for r in reqs}
    for op in contract.operations("pmpro"):
        if op.method == "DELETE":
            continue  # off by default on a real site; sent once to see it refused
        for who in IDENTITIES:
            if (op.method, op.path, who) not in sent:
                missing.append(f"{op.op_id} as {who}")
    runs = [r for r in reqs if r.path.endswith("/run") and f"/{WC}/" in r.path]
    for op in contract.operations("wc-memberships"):
        if not op.path.endswith("/run") or f"/{WC}/" not in op.path or "200" not in op.statuses:
            continue
        mine = [r for r in runs if r.path == op.path]
        if not any(r.method == op.method and r.who == "admin" for r in mine):
            missing.append(f"{op.op_id} with its method")
        if not any(r.method != op.method for r in mine):
            missing.append(f"{op.op_id} with another method")
        if not any(r.who in ("subscriber", "anonymous") for r in mine) and op.method != "GET":
            missing.append(f"{op.op_id} without permission")
    return missing
