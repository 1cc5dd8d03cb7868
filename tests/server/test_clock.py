"""The clock against a real `membermock serve`: what advancing it does, seen through REST and
through the webhooks a real listener receives."""
import pytest
import requests

from membermock.client import MockServer, WebhookReceiver

START = "2027-01-01T00:00:00Z"
MONTHLY = """
users:
  alice: {user_email: alice@example.org}
memberpress:
  memberships:
    monthly: {title: Monthly, price: "20.00", period: 1, period_type: months}
  subscriptions:
    s1: {member: "@alice", membership: "@monthly", status: active, tax_rate: "10.000",
         created_at: "2027-01-01 00:00:00", gateway: manual}
  transactions:
    t1: {member: "@alice", membership: "@monthly", subscription: "@s1", amount: "20.00", tax_amount: "2.00",
         status: complete, created_at: "2027-01-01 00:00:00", expires_at: "2027-02-01 00:00:00"}
"""
TXN_EVENTS = ["transaction-completed", "recurring-transaction-completed", "renewal-transaction-completed"]


@pytest.fixture(scope="module")
def server():
    server = MockServer.start(workers=2, args=("--now", START, "--frozen"))
    yield server
    server.stop()


@pytest.fixture
def site(server):
    site = server.new_site()
    yield site
    site.delete()


@pytest.fixture
def receiver(site):
    receiver = WebhookReceiver()
    site.subscribe(receiver.url)
    yield receiver
    receiver.stop()


def mp(site, path, **params):
    return requests.get(f"{site.url}/wp-json/mp/v1{path}", headers=site.mp_headers, params=params, timeout=10).json()


def test_a_monthly_subscription_renews_three_times_in_three_months(site, receiver):
    site.load(MONTHLY)
    moved = site.clock.advance("P3M")
    assert moved["now"] == "2027-04-01T00:00:00Z" and moved["ran"]["memberpress renewal"] == 3
    renewals = [t for t in mp(site, "/transactions", per_page=50, order="ASC") if t["id"] != "1"]
    assert [t["created_at"] for t in renewals] == ["2027-02-01 00:00:00", "2027-03-01 00:00:00", "2027-04-01 00:00:00"]
    assert [t["expires_at"] for t in renewals] == ["2027-03-01 00:00:00", "2027-04-01 00:00:00", "2027-05-01 00:00:00"]
    assert {(t["amount"], t["tax_amount"], t["total"], t["status"]) for t in renewals} == {("20.00", "2.00", "22.00", "complete")}
    assert [t["subscription_payment_index"] for t in renewals] == [2, 3, 4]
    expected = ["after-member-signup-reminder"] + (["before-sub-renews-reminder"] + TXN_EVENTS) * 3
    receiver.wait_for("renewal-transaction-completed", count=3, timeout=15)
    assert [d.event for d in receiver.events] == expected
    paid = [d.body["data"]["id"] for d in receiver.events if d.event == "transaction-completed"]
    assert paid == [t["id"] for t in renewals]
    reminded = [d.body["data"]["id"] for d in receiver.events if d.event == "before-sub-renews-reminder"]
    assert reminded == ["1"] + [t["id"] for t in renewals[:2]]   # each sent about the payment then current
    alice = mp(site, "/members", search="alice")[0]
    assert [m["title"] for m in alice["active_memberships"]] == ["Monthly"]
    date = requests.get(f"{site.url}/__mock__/health", timeout=10).headers["Date"]
    assert date == "Thu, 01 Apr 2027 00:00:00 GMT"


def test_a_cancelled_subscription_lapses_at_its_period_end(site, receiver):
    site.load(MONTHLY)
    cancel = requests.post(f"{site.url}/wp-json/mp/v1/subscriptions/1/cancel", headers=site.mp_headers, timeout=10)
    assert cancel.status_code == 200
    receiver.wait_for("subscription-stopped")
    site.clock.advance("P20D")
    alice = mp(site, "/members", search="alice")[0]
    assert [m["title"] for m in alice["active_memberships"]] == ["Monthly"]   # paid until 1 February
    site.clock.advance("P15D")
    alice = mp(site, "/members", search="alice")[0]
    assert alice["active_memberships"] == [] and alice["expired_txn_count"] == "1"
    receiver.wait_for("after-sub-expires-reminder", timeout=15)
    assert [d.event for d in receiver.events] == [
        "subscription-stopped", "after-member-signup-reminder", "before-sub-expires-reminder", "transaction-expired",
        "recurring-transaction-expired", "subscription-expired", "after-sub-expires-reminder"]
    assert mp(site, "/transactions", per_page=50)[0]["id"] == "1"   # no renewal was billed


def test_a_scheduled_failure_gives_a_failed_renewal_then_the_next_one_succeeds(site, receiver):
    site.load(MONTHLY)
    assert site.fail_payments(1, times=1) == {"subscription": 1, "failing": 1}
    site.clock.advance("P2M")
    txns = mp(site, "/transactions", per_page=50, order="ASC")
    assert [(t["created_at"][:10], t["status"]) for t in txns] == [
        ("2027-01-01", "complete"), ("2027-02-01", "failed"), ("2027-03-01", "complete")]
    assert mp(site, "/subscriptions/1")["status"] == "active"
    receiver.wait_for("renewal-transaction-completed", timeout=15)
    events = [d.event for d in receiver.events]
    assert events[:7] == ["after-member-signup-reminder", "before-sub-renews-reminder", "transaction-failed",
                          "recurring-transaction-failed", "transaction-expired", "recurring-transaction-expired",
                          "subscription-expired"]
    assert events[-3:] == TXN_EVENTS


def test_a_one_year_pmpro_level_is_gone_after_thirteen_months(site):
    site.load("""
users:
  bob: {user_email: bob@example.org}
pmpro:
  levels:
    annual: {name: Annual Pass, initial_payment: "99.50", expiration_number: 1, expiration_period: Year}
  memberships:
    bob_annual: {user_id: "@bob", membership_id: "@annual", startdate: "2027-01-01 00:00:00"}
  posts:
    annual_post: {post_title: For annual members}
  restrictions:
    annual_post: {level_ids: ["@annual"]}
""")
    auth = site.wp_auth()
    pmpro = lambda route, **p: requests.get(f"{site.url}/wp-json/pmpro/v1/{route}", params=p, auth=auth,   # noqa: E731
                                            timeout=10).json()
    post = requests.get(f"{site.url}/__mock__/state", timeout=10).json()["pmpro_post"][0]["id"]
    assert pmpro("get_membership_level_for_user", user_id=2)["name"] == "Annual Pass"
    assert pmpro("has_membership_access", user_id=2, post_id=post) is True
    site.clock.advance("P13M")
    assert pmpro("get_membership_level_for_user", user_id=2) is False
    assert pmpro("has_membership_access", user_id=2, post_id=post) is False


def test_a_pmpro_recurring_level_gets_an_order_each_month(site):
    site.load("""
users:
  cat: {user_email: cat@example.org}
pmpro:
  levels:
    gold: {name: Gold, initial_payment: "20.00", billing_amount: "15.00", cycle_number: 1, cycle_period: Month,
           billing_limit: 2}
  memberships:
    m: {user_id: "@cat", membership_id: "@gold", startdate: "2027-01-01 00:00:00"}
  orders:
    first: {code: FIRSTORDER, user_id: "@cat", membership_id: "@gold", subtotal: "20.00", total: "20.00",
            timestamp: 1798761600, gateway: stripe, subscription_transaction_id: sub_123}
""")
    site.clock.advance("P4M")
    state = requests.get(f"{site.url}/__mock__/state", timeout=10).json()
    orders = sorted(state["pmpro_order"], key=lambda o: o["id"])
    assert [(o["timestamp"], float(o["total"])) for o in orders] == [
        ("2027-01-01 00:00:00", 20), ("2027-02-01 00:00:00", 15), ("2027-03-01 00:00:00", 15)]
    assert {o["subscription_transaction_id"] for o in orders} == {"sub_123"}   # billing_limit 2: then no more


def test_a_woocommerce_membership_expires_after_its_end_date(site):
    site.load("""
users:
  dan: {user_email: dan@example.org}
wc_memberships:
  plans:
    month: {name: One Month, membership_length: {type: specific, amount: 1, period: months}}
  user_memberships:
    dans: {plan_id: "@month", user_id: "@dan", start_date: "2027-01-01T00:00:00+00:00", end_date: "2027-02-01T00:00:00+00:00"}
    later: {plan_id: "@month", user_id: "@dan", status: delayed, start_date: "2027-01-15T00:00:00+00:00", end_date: "2027-02-15T00:00:00+00:00"}
""")
    run = lambda: requests.get(   # noqa: E731  (a read-only ability runs with GET)
        f"{site.url}/wp-json/wp-abilities/v1/abilities/woocommerce-memberships/user-memberships-list/run",
        params={"input[user_id]": 2}, auth=site.wp_auth(), timeout=10).json()
    statuses = lambda: {m["id"]: m["status"] for m in run()}   # noqa: E731
    first, later = sorted(statuses())
    site.clock.advance("P20D")
    assert statuses() == {first: "active", later: "active"}
    site.clock.advance("P15D")
    assert statuses() == {first: "expired", later: "active"}
    site.clock.advance("P15D")
    assert statuses() == {first: "expired", later: "expired"}
