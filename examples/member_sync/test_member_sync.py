"""The integrator's own tests: only membermock's pytest fixtures, a real mock over a real socket."""
import threading

import requests

from member_sync import MemberSync

TWO_MEMBERS = """
users:
  {a}: {{user_email: {a}@example.org, roles: [subscriber]}}
  {b}: {{user_email: {b}@example.org, roles: [subscriber]}}
memberpress:
  memberships:
    basic: {{title: Basic, price: "10.00", period: 1, period_type: months}}
  transactions:
    t1: {{member: "@{a}", membership: "@basic", amount: "10.00", status: complete, expires_at: "2099-01-01 00:00:00"}}
"""


def app_for(site) -> MemberSync:
    return MemberSync(site.url, site.mp_headers)


def test_sync_copies_every_member(membermock_site):
    app = app_for(membermock_site)
    total = app.sync()
    assert total > 20 and len(app.members()) == total
    pages = membermock_site.requests(method="GET", path="/wp-json/mp/v1/members")
    assert len(pages) == -(-total // 20) and all(p["status"] == 200 for p in pages)


def test_a_503_is_retried(membermock_site):
    membermock_site.fault(path="/wp-json/mp/v1/members*", status=503, times=1)
    app = app_for(membermock_site)
    assert len(app.members()) == 0 and app.sync() == len(app.members())
    statuses = [r["status"] for r in membermock_site.requests(path="/wp-json/mp/v1/members")]
    assert statuses[0] == 503 and set(statuses[1:]) == {200}


def test_a_dropped_connection_is_retried(membermock_site):
    membermock_site.fault(path="/wp-json/mp/v1/members", drop=True, times=1)
    app = app_for(membermock_site)
    assert app.sync() == len(app.members())
    first = membermock_site.requests(path="/wp-json/mp/v1/members")[0]
    assert first["status"] is None and first["fault"] is not None   # the answer never left


def test_a_webhook_sent_twice_is_applied_once(membermock_site, webhook_receiver):
    membermock_site.fault(webhook="member-added", duplicate=True, times=1)
    app = app_for(membermock_site)
    created = requests.post(f"{membermock_site.url}/wp-json/mp/v1/members", headers=membermock_site.mp_headers,
                            json={"email": "new@example.org", "username": "newbie"}, timeout=10).json()
    first = webhook_receiver.wait_for("member-added")
    second = webhook_receiver.wait_for("member-added", count=2)
    assert first.delivery_id == second.delivery_id
    for delivery in (first, second):
        app.handle_webhook(delivery.body, delivery.delivery_id)
    assert app.members()[created["id"]]["email"] == "new@example.org"
    assert app.duplicates_skipped == 1


def test_parallel_syncs_on_separate_sites_see_only_their_own_data(membermock):
    sites = [membermock.new_site(), membermock.new_site()]
    try:
        for n, site in enumerate(sites):
            site.load(TWO_MEMBERS.format(a=f"ann{n}", b=f"ben{n}"))
        apps = [app_for(site) for site in sites]
        threads = [threading.Thread(target=app.sync) for app in apps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for n, app in enumerate(apps):
            emails = sorted(m["email"] for m in app.members().values())
            assert emails == sorted(["admin@example.com", f"ann{n}@example.org", f"ben{n}@example.org"])
            memberships = [m["memberships"] for m in app.members().values() if m["email"].startswith("ann")]
            assert memberships == [["Basic"]]
    finally:
        for site in sites:
            site.delete()
