"""Scenario files: a site described in the plugins' terms, loaded whole or not at all, exported back."""
import json

import pytest
import yaml

SHOP = """
users:
  alice: {user_email: alice@example.org, first_name: Alice, roles: [subscriber], app_password: "abcd efgh ijkl mnop qrst uvwx"}
  bob: {user_email: bob@example.org}
memberpress:
  groups:
    plans: {title: Plans, is_upgrade_path: true}
  memberships:
    basic: {title: Basic, price: "10.00", period: 1, period_type: months, group: "@plans"}
    pro: {title: Pro, price: "30.00", period: 1, period_type: months, group: "@plans"}
  coupons:
    half: {coupon_code: HALF, discount_type: percent, discount_amount: "50.00", valid_memberships: ["@pro"]}
  members:
    alice: {address: {mepr-address-city: Lisbon}, login_count: 3}
  subscriptions:
    s1: {member: "@alice", membership: "@pro", status: active, coupon: "@half"}
  transactions:
    t1: {member: "@alice", membership: "@pro", subscription: "@s1", amount: "15.00", tax_amount: "1.50",
         status: complete, expires_at: "2099-01-01 00:00:00"}
pmpro:
  levels:
    gold: {name: Gold, initial_payment: "20.00", billing_amount: "20.00", cycle_number: 1, cycle_period: Month}
  discount_codes:
    save: {code: SAVE50, levels: {"@gold": {initial_payment: "10.00", billing_amount: "10.00", cycle_number: 1, cycle_period: Month}}}
  memberships:
    alice_gold: {user_id: "@alice", membership_id: "@gold"}
  orders:
    o1: {code: ABCDEF1234, user_id: "@alice", membership_id: "@gold", subtotal: "20.00", total: "20.00", timestamp: 1735689600}
  posts:
    secret: {post_title: Members only}
  restrictions:
    secret: {level_ids: ["@gold"]}
wc_memberships:
  plans:
    gold: {name: Gold Plan, membership_length: {type: specific, amount: 1, period: years}}
  user_memberships:
    um: {plan_id: "@gold", user_id: "@bob"}
"""


def load(mock, text, prefix=""):
    return mock.client.post(f"{prefix}/__mock__/scenario", data=text, content_type="application/yaml")


def test_a_scenario_replaces_the_site_with_what_it_describes(mock):
    answer = load(mock, SHOP)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["loaded"]["memberpress.memberships"] == 2
    users = {u["login"]: u for u in mock.client.get("/__mock__/users").get_json()}
    assert list(users) == ["admin", "alice", "bob"]   # the administrator is always there, first
    members = {m["username"]: m for m in mock.get("/wp-json/mp/v1/members", headers=mock.mp()).get_json()}
    alice = members["alice"]
    assert [m["title"] for m in alice["active_memberships"]] == ["Pro"]
    assert alice["address"]["mepr-address-city"] == "Lisbon" and alice["login_count"] == "3"
    txn = mock.get(f"/wp-json/mp/v1/transactions/{alice['latest_txn']['id']}", headers=mock.mp()).get_json()
    assert txn["total"] == "16.50"
    sub = mock.get(f"/wp-json/mp/v1/subscriptions/{txn['subscription']['id']}", headers=mock.mp()).get_json()
    assert sub["coupon"]["coupon_code"] == "HALF" and sub["price"] == "30.00"   # the membership's terms
    membership = mock.get(f"/wp-json/mp/v1/memberships/{txn['membership']['id']}", headers=mock.mp()).get_json()
    assert membership["group"]["title"] == "Plans"
    admin = mock.basic("admin")
    gold = mock.get("/wp-json/pmpro/v1/get_membership_level_for_user?user_id=2", headers=admin).get_json()
    assert gold["name"] == "Gold"
    post = mock.client.get("/__mock__/state").get_json()["pmpro_post"][0]["id"]
    assert mock.get(f"/wp-json/pmpro/v1/has_membership_access?post_id={post}&user_id=2", headers=admin).get_json() is True
    assert mock.get(f"/wp-json/pmpro/v1/has_membership_access?post_id={post}&user_id=3", headers=admin).get_json() is False
    order = mock.get("/wp-json/pmpro/v1/order?code=ABCDEF1234", headers=admin).get_json()
    assert order["timestamp"] == 1735689600 and order["user_id"] == "2"
    code = mock.get("/wp-json/pmpro/v1/discount_code?code=SAVE50", headers=admin).get_json()
    assert list(code["levels"]) == [str(gold["id"])]


def test_a_json_scenario_is_the_same_as_yaml(mock):
    assert load(mock, json.dumps(yaml.safe_load(SHOP))).status_code == 200
    as_json = mock.client.get("/__mock__/state").get_json()
    assert load(mock, SHOP).status_code == 200
    assert mock.client.get("/__mock__/state").get_json() == as_json


def test_the_export_loads_back_into_an_identical_site(mock):
    mock.post("/wp-json/mp/v1/memberships", headers=mock.mp(), json={"title": "Made by REST"})
    before = mock.client.get("/__mock__/state").get_json()
    exported = mock.client.get("/__mock__/state?format=scenario&as=yaml")
    assert exported.mimetype == "application/yaml"
    mock.client.post("/__mock__/reseed?seed=9")
    assert mock.client.get("/__mock__/state").get_json() != before
    assert load(mock, exported.data).status_code == 200
    assert mock.client.get("/__mock__/state").get_json() == before
    posts = yaml.safe_load(exported.data)["site"]["sequences"]["posts"]
    again = mock.post("/wp-json/mp/v1/memberships", headers=mock.mp(), json={"title": "Next"}).get_json()
    assert again["id"] == posts + 1   # the sequences came back too: the next id is the one the old site gave


def test_the_export_names_objects_and_their_references(mock):
    load(mock, SHOP)
    doc = mock.client.get("/__mock__/state?format=scenario").get_json()
    assert set(doc["users"]) == {"admin", "alice", "bob"}
    txn = next(iter(doc["memberpress"]["transactions"].values()))
    assert txn["member"] == "@alice" and txn["membership"].startswith("@membership-")
    post = next(iter(doc["pmpro"]["posts"]))
    assert doc["pmpro"]["restrictions"] == {post: {"level_ids": ["@level-1"]}}


def test_reset_returns_to_the_scenario(mock):
    load(mock, SHOP)
    loaded = mock.client.get("/__mock__/state").get_json()
    mock.post("/wp-json/mp/v1/memberships", headers=mock.mp(), json={"title": "Scratch"})
    assert mock.client.post("/__mock__/reset").status_code == 200
    assert mock.client.get("/__mock__/state").get_json() == loaded


@pytest.mark.parametrize("text, path, rule", [
    ("users: {x: {roles: [king]}}", "$.users.x.roles[0]", "enum"),
    ("memberpress: {transactions: {t: {member: '@ghost'}}}", "$.memberpress.transactions.t.member", "reference"),
    ("memberpress: {memberships: {m: {price: [1]}}}", "$.memberpress.memberships.m.price", "type"),
    ("memberpress: {nonsense: {}}", "$.memberpress.nonsense", "collection"),
    ("pmpro: {levels: {a: {id: 3}, b: {id: 3}}}", "$.pmpro.levels.b.id", "unique"),
    ("pmpro: {levels: {a: {id: zero}}}", "$.pmpro.levels.a.id", "type"),
    ("pmpro: {memberships: {m: {user_id: 1, membership_id: 99}}}", "$.pmpro.memberships.m", "build"),
    ("wc_memberships: {user_memberships: {u: {plan_id: '@none'}}}", "$.wc_memberships.user_memberships.u.plan_id",
     "reference"),
    ("planets: {}", "$", "additionalProperties"),
    ("[1, 2]", "$", "type"),
    ("users: {a: [", "$", "syntax"),
])
def test_a_bad_file_is_refused_whole_naming_file_path_and_rule(mock, text, path, rule):
    before = mock.client.get("/__mock__/state").get_json()
    answer = mock.client.post("/__mock__/scenario?file=team.yaml", data=text, content_type="application/yaml")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == "mock_invalid_scenario" and body["message"].startswith("team.yaml: ")
    assert {"file": "team.yaml", "path": path, "rule": rule} in [
        {k: p[k] for k in ("file", "path", "rule")} for p in body["data"]["problems"]], body
    assert mock.client.get("/__mock__/state").get_json() == before


def test_one_bad_object_among_good_ones_loads_nothing(mock):
    before = mock.client.get("/__mock__/state").get_json()
    text = SHOP + "\n  extra: {plan_id: '@gold', user_id: '@nobody'}\n"
    assert load(mock, text).status_code == 400
    assert mock.client.get("/__mock__/state").get_json() == before


def test_a_scenario_may_start_from_a_seeded_site(mock):
    answer = load(mock, "site: {seed: 3}\npmpro: {levels: {extra: {name: Extra}}}")
    assert answer.status_code == 200
    names = [lv["name"] for lv in mock.get("/wp-json/pmpro/v1/membership_levels").get_json().values()]
    assert names[-1] == "Extra" and len(names) > 1
