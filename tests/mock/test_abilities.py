"""WooCommerce Memberships abilities over the WordPress 6.9 Abilities REST API (the mock).

Every response is checked against the contract by the ``mock`` fixture.
"""
import json
from urllib.parse import quote

import pytest

from mock_server import abilities as module
from tests.samples.corpus import SAMPLES_DIR

BASE = "/wp-json/wp-abilities/v1"
NS = "woocommerce-memberships"
NAMES = [f"{NS}/{a}" for a in ("plans-create", "plans-delete", "plans-get", "plans-list", "user-memberships-create",
                               "user-memberships-delete", "user-memberships-get", "user-memberships-list")]


def run_url(ability: str) -> str:
    return f"{BASE}/abilities/{NS}/{ability}/run"


def uid(mock, login):
    return mock.site.user_by("user_login", login)["id"]


def post_run(mock, ability, value, user="admin", **kw):
    return mock.post(run_url(ability), json={"input": value}, headers=mock.basic(user) if user else {}, **kw)


def get_run(mock, ability, query="", user="admin"):
    return mock.get(run_url(ability) + (f"?{query}" if query else ""), headers=mock.basic(user) if user else {})


def new_plan(mock, **extra):
    body = {"name": "Platinum Circle", "status": "publish",
            "access": {"method": "purchase", "product_ids": [24]},
            "membership_length": {"type": "specific", "amount": 6, "period": "months"},
            "rules": {"content_restriction": [{"content_type": "post_type", "content_type_name": "post",
                                               "object_ids": []}],
                      "purchasing_discount": [{"content_type": "post_type", "content_type_name": "product",
                                               "object_ids": [79, 80], "active": True,
                                               "discount_type": "percentage", "discount_amount": 10}]},
            **extra}
    response = post_run(mock, "plans-create", body)
    assert response.status_code == 200, response.json
    return response.json


# -- discovery --------------------------------------------------------------------------------

def test_list_abilities_with_pagination_headers(mock):
    first = mock.get(f"{BASE}/abilities", headers=mock.basic("alice"))
    assert first.status_code == 200
    assert [a["name"] for a in first.json] == NAMES
    assert first.headers["X-WP-Total"] == "8" and first.headers["X-WP-TotalPages"] == "1"
    assert "Link" not in first.headers
    middle = mock.get(f"{BASE}/abilities?per_page=3&page=2", headers=mock.basic("alice"))
    assert len(middle.json) == 3 and middle.headers["X-WP-TotalPages"] == "3"
    links = middle.headers.get_all("Link")
    assert any('page=1>; rel="prev"' in link for link in links)
    assert any('page=3>; rel="next"' in link and "per_page=3" in link for link in links)
    past = mock.get(f"{BASE}/abilities?per_page=3&page=9", headers=mock.basic("alice"))
    assert past.status_code == 200 and past.json == []


def test_list_abilities_filters_and_contexts(mock):
    plans = mock.get(f"{BASE}/abilities?category=woocommerce-membership-plans", headers=mock.basic("admin"))
    assert {a["category"] for a in plans.json} == {"woocommerce-membership-plans"} and len(plans.json) == 4
    embed = mock.get(f"{BASE}/abilities?context=embed", headers=mock.basic("admin"))
    assert set(embed.json[0]) == {"name", "label", "category", "_links"}
    bad = mock.get(f"{BASE}/abilities?per_page=0")  # args are checked before the permission
    assert bad.status_code == 400 and bad.json["code"] == "rest_invalid_param" and "per_page" in bad.json["data"]["params"]


def test_get_ability_shows_annotations_schemas_and_links(mock):
    item = mock.get(f"{BASE}/abilities/{NS}/plans-delete", headers=mock.basic("admin")).json
    assert item["meta"] == {"annotations": {"readonly": False, "destructive": True, "idempotent": False},
                            "show_in_rest": True}
    assert item["category"] == "woocommerce-membership-plans"
    assert item["input_schema"]["type"] == "integer" and item["input_schema"]["required"] is True
    assert item["_links"]["wp:action-run"][0]["href"].endswith(f"/abilities/{NS}/plans-delete/run")
    get = mock.get(f"{BASE}/abilities/{NS}/user-memberships-get", headers=mock.basic("admin")).json
    assert get["meta"]["annotations"] == {"readonly": True, "destructive": False, "idempotent": True}
    assert set(get["output_schema"]["properties"]) >= {"id", "plan_id", "user_id", "status"}


def _shape(schema):
    """A WordPress-dialect schema without its prose, with PHP's [] default read as {}."""
    if isinstance(schema, dict):
        out = {k: _shape(v) for k, v in schema.items() if k not in ("description", "title")}
        if out.get("default") == [] and out.get("type") == "object":
            out["default"] = {}
        return out
    if isinstance(schema, list):
        return [_shape(v) for v in schema]
    return schema


@pytest.mark.parametrize("name", NAMES)
def test_listed_input_schema_is_the_plugins_wordpress_dialect(mock, name):
    listed = mock.get(f"{BASE}/abilities/{name}", headers=mock.basic("admin")).json["input_schema"]
    original = json.loads((SAMPLES_DIR / "002" / f"{name.split('/')[1]}-input-schema.json").read_text())
    original = _shape(original)
    if name.endswith("user-memberships-list"):
        original.pop("default")  # the one default the contract drops (it fails its own schema)
    # required: false is the same as leaving the flag out
    assert _shape(listed) == json.loads(json.dumps(original).replace(', "required": false', ""))


def test_categories(mock):
    listed = mock.get(f"{BASE}/categories?per_page=1", headers=mock.basic("bob"))
    assert listed.headers["X-WP-Total"] == "2" and listed.headers["X-WP-TotalPages"] == "2"
    assert listed.json[0]["slug"] == "woocommerce-membership-plans" and listed.json[0]["meta"] == []
    one = mock.get(f"{BASE}/categories/woocommerce-user-memberships", headers=mock.basic("bob"))
    assert one.status_code == 200 and one.json["label"]
    missing = mock.get(f"{BASE}/categories/no-such-thing", headers=mock.basic("bob"))
    assert missing.status_code == 404 and missing.json["code"] == "rest_ability_category_not_found"


def test_a_capitalised_slug_meets_the_route_and_fails_the_slug_pattern(mock):
    """WordPress matches routes ignoring case, then validates the slug argument (the real site
    answered 400 to an anonymous GET of categories/A, before any permission check)."""
    for headers in ({}, mock.basic("bob")):
        capital = mock.get(f"{BASE}/categories/Woocommerce-User-Memberships", headers=headers)
        assert capital.status_code == 400 and capital.json["code"] == "rest_invalid_param"
        assert "slug" in capital.json["data"]["params"]
    assert mock.get(f"{BASE}/categories/not_a_slug", headers=mock.basic("bob")).json["code"] == "rest_no_route"


def test_discovery_needs_read(mock):
    for url in (f"{BASE}/abilities", f"{BASE}/abilities/{NS}/plans-get", f"{BASE}/categories",
                f"{BASE}/categories/woocommerce-user-memberships", f"{BASE}/abilities/acme/nothing"):
        response = mock.get(url)
        assert response.status_code == 401 and response.json["code"] == "rest_forbidden", url
    unknown = mock.get(f"{BASE}/abilities/acme/nothing", headers=mock.basic("carol"))
    assert unknown.status_code == 404 and unknown.json["code"] == "rest_ability_not_found"


# -- running: core's checks, in core's order -----------------------------------------------

def test_generic_and_concrete_operations_share_their_code():
    handlers = module.HANDLERS
    assert handlers["runAbilityWithPost"] is handlers["runPlansCreate"] is handlers["runPlansGetWithPost"]
    assert handlers["getAbility"] is handlers["getPlansGetAbility"]


@pytest.mark.parametrize("method, ability, wanted", [
    ("GET", "plans-create", "POST"), ("POST", "plans-get", "GET"), ("POST", "plans-list", "GET"),
    ("DELETE", "plans-delete", "POST"), ("GET", "plans-delete", "POST"), ("GET", "user-memberships-create", "POST"),
    ("POST", "user-memberships-get", "GET"), ("DELETE", "user-memberships-delete", "POST"),
    ("DELETE", "user-memberships-list", "GET"),
])
def test_wrong_method_is_405_before_input_and_permission(mock, method, ability, wanted):
    response = mock.request(method, run_url(ability) + "?input=nonsense")  # logged out, bad input
    assert response.status_code == 405 and response.json["code"] == "rest_ability_invalid_method"
    assert wanted in response.json["message"]


def test_unknown_ability_is_404_before_anything_else(mock):
    for method in ("GET", "POST", "DELETE"):
        response = mock.request(method, f"{BASE}/abilities/acme/nothing/run")
        assert response.status_code == 404 and response.json["code"] == "rest_ability_not_found"


@pytest.mark.parametrize("ability, query, body, words", [
    ("plans-get", "input=abc", None, "input is not of type integer."),
    ("plans-get", "", None, "input is not of type integer."),
    ("plans-get", "input=0", None, "input must be greater than or equal to 1"),
    ("user-memberships-list", "input[status]=active", None, "user_id is a required property of input."),
    ("user-memberships-list", "input[user_id]=x", None, "input[user_id] is not of type integer."),
    ("plans-create", None, {"slug": "no-name"}, "name is a required property of input."),
    ("plans-create", None, {"name": "X", "status": "archived"}, "input[status] is not one of draft and publish."),
    ("plans-create", None, {"name": 7}, "input[name] is not of type string."),
    ("user-memberships-create", None, {"plan_id": 1}, "user_id is a required property of input."),
    ("plans-delete", None, None, "input is not of type integer."),
])
def test_invalid_input_is_400_naming_the_problem(mock, ability, query, body, words):
    if body is None and query is None:
        response = mock.post(run_url(ability), json={}, headers=mock.basic("alice"))
    elif query is not None:
        response = get_run(mock, ability, query, user="alice")
    else:
        response = post_run(mock, ability, body, user="alice")  # a subscriber: input is checked first
    assert response.status_code == 400 and response.json["code"] == "ability_invalid_input"
    assert response.json["message"] == f'Ability "{NS}/{ability}" has invalid input. Reason: {words}'


def test_a_form_encoded_post_leaves_the_input_empty(mock):
    response = mock.post(run_url("plans-delete"), data={"input": "3"}, headers=mock.basic("admin"))
    assert response.status_code == 400 and "not of type integer" in response.json["message"]


@pytest.mark.parametrize("ability, method, query, body", [
    ("plans-list", "GET", "", None), ("plans-get", "GET", "input=1", None),
    ("plans-create", "POST", None, {"name": "Nope"}), ("user-memberships-delete", "POST", None, 1),
])
def test_permission_401_logged_out_403_without_manage_woocommerce(mock, ability, method, query, body):
    for headers, status in (({}, 401), (mock.basic("alice"), 403), (mock.basic("editor"), 403)):
        kwargs = {"json": {"input": body}} if method == "POST" else {}
        url = run_url(ability) + (f"?{query}" if query else "")
        response = mock.request(method, url, headers=headers, **kwargs)
        assert response.status_code == status and response.json["code"] == "rest_ability_cannot_execute"


def test_bad_json_body_is_rest_invalid_json(mock):
    response = mock.post(run_url("plans-create"), data="{nope", content_type="application/json",
                         headers=mock.basic("admin"))
    assert response.status_code == 400 and response.json["code"] == "rest_invalid_json"


# -- the eight abilities --------------------------------------------------------------------

def test_run_every_ability_with_its_method(mock):
    shop = "shopmanager"
    plans = get_run(mock, "plans-list", user=shop).json
    assert plans and all(p["status"] == "publish" for p in plans)
    plan = get_run(mock, "plans-get", f"input={plans[0]['id']}", user=shop).json
    assert plan == plans[0]
    created = new_plan(mock)
    alice = uid(mock, "alice")
    mine = get_run(mock, "user-memberships-list", f"input[user_id]={alice}", user=shop).json
    assert mine and {m["user_id"] for m in mine} == {alice}
    one = get_run(mock, "user-memberships-get", f"input={mine[0]['id']}", user=shop).json
    assert one == mine[0]
    joined = post_run(mock, "user-memberships-create", {"plan_id": created["id"], "user_id": alice}, user=shop).json
    left = post_run(mock, "user-memberships-delete", joined["id"], user=shop)
    assert left.status_code == 200 and left.json == joined
    gone = post_run(mock, "plans-delete", created["id"], user=shop)
    assert gone.status_code == 200 and gone.json == created


def test_plan_lifecycle(mock):
    plan = new_plan(mock, description="Six months of everything.")
    assert plan["slug"] == "platinum-circle" and plan["access"] == {"method": "purchase", "product_ids": [24]}
    assert plan["membership_length"] == {"type": "specific", "amount": 6, "period": "months"}
    assert plan["rules"]["product_restriction"] == []
    assert plan["rules"]["content_restriction"][0]["access_schedule"] == {"type": "immediate"}
    assert plan["rules"]["purchasing_discount"][0]["id"].startswith("rule_")
    assert get_run(mock, "plans-get", f"input={plan['id']}").json == plan
    again = new_plan(mock)
    assert again["slug"] == "platinum-circle-2" and again["id"] > plan["id"]
    listed = get_run(mock, "plans-list", "input[post__in][]={}&input[post__in][]={}".format(plan["id"], again["id"]))
    assert sorted(p["id"] for p in listed.json) == [plan["id"], again["id"]]
    deleted = post_run(mock, "plans-delete", plan["id"])
    assert deleted.status_code == 200 and deleted.json == plan
    missing = get_run(mock, "plans-get", f"input={plan['id']}")
    assert missing.status_code == 404 and missing.json["code"] == "plan_not_found"
    again_delete = post_run(mock, "plans-delete", plan["id"])
    assert again_delete.status_code == 404 and again_delete.json["code"] == "plan_not_found"


def test_plans_list_takes_wp_query_arguments(mock):
    everything = get_run(mock, "plans-list", "input[post_status]=any").json
    published = get_run(mock, "plans-list").json
    assert len(everything) == len(published) + 1 and any(p["status"] == "draft" for p in everything)
    page = get_run(mock, "plans-list", "input[posts_per_page]=2&input[paged]=2&input[orderby]=title&input[order]=ASC")
    names = sorted(p["name"] for p in published)
    assert [p["name"] for p in page.json] == names[2:4]
    shapes = {p["membership_length"]["type"] for p in everything} | {p["access"]["method"] for p in everything}
    assert shapes >= {"unlimited", "specific", "fixed", "manual-only", "signup", "purchase"}


def test_plan_business_rules_are_the_plugins_422(mock):
    response = post_run(mock, "plans-create", {"name": "Bad", "access": {"method": "purchase"}})
    assert response.status_code == 422 and response.json["code"] == "invalid_input"
    assert "product_ids" in response.json["message"]
    fixed = post_run(mock, "plans-create", {"name": "Bad", "membership_length": {"type": "fixed"}})
    assert fixed.status_code == 422
    assert not any(p["name"] == "Bad" for p in get_run(mock, "plans-list", "input[post_status]=any").json)


def test_plan_with_active_memberships_cannot_be_deleted(mock):
    plan = new_plan(mock)
    post_run(mock, "user-memberships-create", {"plan_id": plan["id"], "user_id": uid(mock, "bob")})
    refused = post_run(mock, "plans-delete", plan["id"])
    assert refused.status_code == 409 and refused.json["code"] == "plan_not_deletable"
    assert get_run(mock, "plans-get", f"input={plan['id']}").status_code == 200
    # seeded plans with members are protected too, through the generic route as well
    seeded = get_run(mock, "plans-list").json
    gold = next(p for p in seeded if p["slug"] == "gold-membership")
    assert post_run(mock, "plans-delete", gold["id"]).status_code == 409


def test_user_membership_lifecycle(mock):
    plan = new_plan(mock, membership_length={"type": "unlimited"})
    carol = uid(mock, "carol")
    created = post_run(mock, "user-memberships-create",
                       {"plan_id": plan["id"], "user_id": carol, "product_id": 24, "order_id": 900})
    membership = created.json
    assert created.status_code == 200 and membership["status"] == "active" and membership["end_date"] is None
    assert (membership["plan_id"], membership["user_id"], membership["order_id"]) == (plan["id"], carol, 900)
    assert get_run(mock, "user-memberships-get", f"input={membership['id']}").json == membership
    active = get_run(mock, "user-memberships-list", f"input[user_id]={carol}&input[status][]=active").json
    assert membership in active and all(m["status"] == "active" for m in active)
    prefixed = get_run(mock, "user-memberships-list", f"input[user_id]={carol}&input[status]=wcm-active").json
    assert prefixed == active
    duplicate = post_run(mock, "user-memberships-create", {"plan_id": plan["id"], "user_id": carol})
    assert duplicate.status_code == 400 and duplicate.json["code"] == "create_failed"
    deleted = post_run(mock, "user-memberships-delete", membership["id"])
    assert deleted.status_code == 200 and deleted.json == membership
    missing = get_run(mock, "user-memberships-get", f"input={membership['id']}")
    assert missing.status_code == 404 and missing.json["code"] == "membership_not_found"
    assert post_run(mock, "user-memberships-delete", membership["id"]).status_code == 404
    assert post_run(mock, "plans-delete", plan["id"]).status_code == 200


def test_membership_dates_follow_the_plan(mock):
    plan = new_plan(mock, membership_length={"type": "fixed", "start_date": "2099-01-01", "end_date": "2099-12-31"})
    delayed = post_run(mock, "user-memberships-create", {"plan_id": plan["id"], "user_id": uid(mock, "alice")}).json
    assert delayed["status"] == "delayed" and delayed["start_date"].startswith("2099-01-01")
    assert delayed["end_date"].startswith("2099-12-31")
    yearly = new_plan(mock, membership_length={"type": "specific", "amount": 1, "period": "years"})
    joined = post_run(mock, "user-memberships-create", {"plan_id": yearly["id"], "user_id": uid(mock, "alice")}).json
    assert int(joined["end_date"][:4]) == int(joined["start_date"][:4]) + 1
    over = new_plan(mock, membership_length={"type": "fixed", "start_date": "2001-01-01", "end_date": "2001-12-31"})
    late = post_run(mock, "user-memberships-create", {"plan_id": over["id"], "user_id": uid(mock, "alice")}).json
    assert late["status"] == "expired"


def test_numeric_strings_pass_as_wordpress_lets_them(mock):
    plan = new_plan(mock)
    assert get_run(mock, "plans-get", f"input={plan['id']}").json == plan
    assert post_run(mock, "plans-delete", str(plan["id"])).json == plan


def test_membership_create_with_unknown_ids(mock):
    plan = new_plan(mock)
    no_plan = post_run(mock, "user-memberships-create", {"plan_id": 999999, "user_id": uid(mock, "alice")})
    no_user = post_run(mock, "user-memberships-create", {"plan_id": plan["id"], "user_id": 999999})
    for response in (no_plan, no_user):
        assert response.status_code == 404 and response.json["code"] == "create_failed"
    assert get_run(mock, "user-memberships-list", "input[user_id]=999999").json == []


def test_seeded_memberships_cover_every_status(mock):
    statuses = set()
    for user in mock.site.users():
        statuses |= {m["status"] for m in get_run(mock, "user-memberships-list", f"input[user_id]={user['id']}").json}
    assert statuses == {"active", "delayed", "complimentary", "pending", "paused", "expired", "cancelled"}


def test_rest_route_form_reaches_the_same_ability(mock):
    route = quote(f"/wp-abilities/v1/abilities/{NS}/plans-list/run")
    response = mock.client.get(f"/?rest_route={route}", headers=mock.basic("admin"))
    assert response.status_code == 200 and isinstance(response.json, list)
