"""The clock: its control route, what moving it runs, and that the same moves give the same site."""
import pytest

START = "2027-01-31T12:00:00Z"


@pytest.fixture
def frozen(make_mock):
    return make_mock(now=START, frozen=True)


def move(mock, **body):
    answer = mock.client.post("/__mock__/clock", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_set_and_frozen_clock_is_what_every_answer_shows(frozen):
    assert frozen.client.get("/__mock__/clock").get_json() == {
        "now": START, "frozen": True, "offset_seconds": None, "lifecycle_until": None}
    answer = frozen.get("/wp-json/mp/v1/members?per_page=1", headers=frozen.mp())
    assert answer.headers["Date"] == "Sun, 31 Jan 2027 12:00:00 GMT"
    plan = frozen.get("/wp-json/mp/v1/memberships?per_page=1", headers=frozen.mp()).get_json()[0]["id"]
    made = frozen.post("/wp-json/mp/v1/transactions", headers=frozen.mp(),
                       json={"member": 5, "membership": plan, "amount": "5.00", "status": "complete"}).get_json()
    assert made["created_at"] == "2027-01-31 12:00:00"


@pytest.mark.parametrize("advance, now", [
    ("P1M", "2027-02-28T12:00:00Z"),          # calendar months: the last day of February
    ("P1Y", "2028-01-31T12:00:00Z"),
    ("PT36H", "2027-02-02T00:00:00Z"),
    ("P1W", "2027-02-07T12:00:00Z"),
    ("P1DT30M", "2027-02-01T12:30:00Z"),
    (3600, "2027-01-31T13:00:00Z"),
    (0, START),
])
def test_durations(frozen, advance, now):
    assert move(frozen, advance=advance)["now"] == now


@pytest.mark.parametrize("body, wanted", [
    ({"advance": "1 month"}, "not an ISO 8601 duration"),
    ({"advance": -5}, "$.advance: -5"),
    ({"advance": "P"}, "not an ISO 8601 duration"),
    ({"set": "next tuesday"}, "not an ISO 8601 time"),
    ({"set": "0001-01-01T00:00:00Z"}, "out of range"),
    ({"set": START, "advance": "P1D"}, "should not be valid"),
    ({"frozen": "yes"}, "is not of type 'boolean'"),
    ({"rewind": True}, "Additional properties"),
    ({}, "Send {"),
])
def test_bad_moves_are_refused_and_change_nothing(frozen, body, wanted):
    answer = frozen.client.post("/__mock__/clock", json=body)
    assert answer.status_code == 400 and answer.get_json()["code"] == "mock_invalid_clock"
    assert wanted in answer.get_json()["message"]
    assert frozen.client.get("/__mock__/clock").get_json()["now"] == START


def test_a_running_clock_keeps_its_offset(make_mock):
    mock = make_mock(now="2030-06-01T00:00:00Z")
    state = mock.client.get("/__mock__/clock").get_json()
    assert state["frozen"] is False and state["offset_seconds"] > 3 * 365 * 86400
    assert state["now"].startswith("2030-06-01T00:00")
    frozen = move(mock, frozen=True)
    assert frozen["frozen"] is True and frozen["now"].startswith("2030-06-01T00:00")


def test_going_back_runs_nothing_and_a_period_is_never_billed_twice(frozen):
    assert move(frozen, advance="P1M")["ran"]["memberpress renewal"] > 0
    billed = frozen.get("/wp-json/mp/v1/transactions?per_page=1", headers=frozen.mp()).headers["X-WP-Total"]
    back = move(frozen, set=START)
    assert back["ran"] == {} and back["lifecycle_until"] == START
    assert "memberpress renewal" not in move(frozen, advance="P1M")["ran"]
    assert frozen.get("/wp-json/mp/v1/transactions?per_page=1", headers=frozen.mp()).headers["X-WP-Total"] == billed


def run_a_year(mock) -> tuple:
    mock.post("/wp-json/mp/v1/webhooks/subscribe", headers=mock.mp(), json={"url": "http://127.0.0.1:9/x", "event": "all"})
    for _ in range(12):
        move(mock, advance="P1M")
    state = mock.client.get("/__mock__/state").get_json()
    queued = [(d["event"], d["url"]) for d in mock.client.get("/__mock__/webhooks/deliveries").get_json()]
    site = mock.site
    payloads = [row[0] for row in site.store.db.execute("SELECT body FROM webhook_deliveries ORDER BY id")]
    return state, queued, payloads


def test_a_year_in_monthly_steps_gives_the_same_site_twice(make_mock):
    one = run_a_year(make_mock(now=START, frozen=True))
    two = run_a_year(make_mock(now=START, frozen=True))
    assert one[0] == two[0]
    assert one[1] == two[1] and len(one[1]) > 300
    assert one[2] == two[2]


SUB = """
users:
  ann: {user_email: ann@example.org}
memberpress:
  memberships:
    m: {title: Weekly, price: "5.00", period: 1, period_type: weeks}
  subscriptions:
    s: {member: "@ann", membership: "@m", status: active, created_at: "2027-01-31 12:00:00", %s}
  transactions:
    t: {member: "@ann", membership: "@m", subscription: "@s", amount: "%s", status: complete,
        created_at: "2027-01-31 12:00:00", expires_at: "%s"}
"""


def payments(mock):
    return [(t["amount"], t["created_at"][:10], t["expires_at"][:10]) for t in
            mock.get("/wp-json/mp/v1/transactions?order=ASC&per_page=50", headers=mock.mp()).get_json()]


def test_a_trial_ends_and_the_full_price_is_billed(frozen):
    frozen.client.post("/__mock__/scenario", content_type="application/yaml",
                       data=SUB % ('trial: true, trial_days: 3, trial_amount: "1.00"', "1.00", "2027-02-03 12:00:00"))
    move(frozen, advance="P10D")
    assert payments(frozen) == [("1.00", "2027-01-31", "2027-02-03"), ("5.00", "2027-02-03", "2027-02-10"),
                                ("5.00", "2027-02-10", "2027-02-17")]


@pytest.mark.parametrize("action, last_expiry", [("expire", "2027-02-14"), ("lifetime", "0000-00-00")])
def test_limit_cycles_stops_the_subscription(frozen, action, last_expiry):
    spec = f'limit_cycles: true, limit_cycles_num: 2, limit_cycles_action: {action}'
    frozen.client.post("/__mock__/scenario", content_type="application/yaml",
                       data=SUB % (spec, "5.00", "2027-02-07 12:00:00"))
    move(frozen, advance="P5W")
    assert [p[2] for p in payments(frozen)] == ["2027-02-07", last_expiry]
    assert frozen.get("/wp-json/mp/v1/subscriptions/1", headers=frozen.mp()).get_json()["status"] == "cancelled"
    member = frozen.get("/wp-json/mp/v1/members?search=ann", headers=frozen.mp()).get_json()[0]
    assert bool(member["active_memberships"]) is (action == "lifetime")


def test_stored_reminders_replace_the_defaults(frozen):
    frozen.client.post("/__mock__/scenario", content_type="application/yaml",
                       data=SUB % ("", "5.00", "2027-02-07 12:00:00"))
    frozen.post("/wp-json/mp/v1/webhooks/subscribe", headers=frozen.mp(), json={"url": "http://127.0.0.1:9/", "event": "all"})
    site = frozen.site
    with site.store.transaction() as db:
        site.store.put(db, "mp_reminder", {"id": 900, "status": "publish", "trigger_length": "2",
                                            "trigger_interval": "hours", "trigger_timing": "before",
                                            "trigger_event": "sub-renews", "filter_products": False, "products": []})
        site.store.put(db, "mp_reminder", {"id": 901, "status": "draft", "trigger_length": "1",
                                            "trigger_interval": "days", "trigger_timing": "after",
                                            "trigger_event": "member-signup"})
    move(frozen, advance="P8D")
    sent = [d["event"] for d in frozen.client.get("/__mock__/webhooks/deliveries").get_json()]
    # 2 h before the renewal of 7 February, and no default (after-member-signup) nor the draft one
    assert [e for e in sent if e.endswith("reminder")] == ["before-sub-renews-reminder"]
    assert sent.index("before-sub-renews-reminder") < sent.index("renewal-transaction-completed")


def test_failing_payments_is_checked(frozen):
    frozen.client.post("/__mock__/scenario", content_type="application/yaml",
                       data=SUB % ("", "5.00", "2027-02-07 12:00:00"))
    for body, status in (({"subscription": 999}, 404), ({"subscription": 1, "times": 0}, 400), ([], 400),
                         ({"subscription": 1, "times": "2"}, 400)):
        assert frozen.client.post("/__mock__/payments/fail", json=body).status_code == status
    assert frozen.client.post("/__mock__/payments/fail", json={"subscription": "1", "times": 2}).get_json() == {
        "subscription": 1, "failing": 2}
    move(frozen, advance="P3W")
    assert [t["status"] for t in frozen.get("/wp-json/mp/v1/transactions?order=ASC", headers=frozen.mp()).get_json()] \
        == ["complete", "failed", "failed", "complete"]
