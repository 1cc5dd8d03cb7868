"""``POST /__mock__/payments/fail``: make a subscription's next renewals fail, as a declined card
would, so a test can watch what its code does when a member's payment does not go through."""
from __future__ import annotations

from flask import request

from mock_server import forms, wp
from mock_server.memberpress.domain import KIND, intval
from mock_server.memberpress.lifecycle import FAILURES
from mock_server.sites import current

ROUTE = "/__mock__/payments/fail"


def register(app) -> None:
    def view():
        site = current()
        body, problem = forms.body()
        if problem or not body and not request.get_data():
            return wp.error("mock_invalid_json", 'The body is {"subscription": ID, "times": N}.', 400)
        times = body.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            return wp.error("mock_invalid_times", "times is a whole number of failed renewals, 1 or more.", 400)
        sub_id = intval(body.get("subscription"))
        if not sub_id or site.store.get(KIND["subscriptions"], sub_id) is None:
            return wp.error("mock_not_found", f"No subscription {body.get('subscription')!r} on this site.", 404)
        with site.store.transaction() as db:
            failures = site.store.get_meta(FAILURES, {})
            failures[str(sub_id)] = failures.get(str(sub_id), 0) + times
            site.store.set_meta(db, FAILURES, failures)
        return wp.reply({"subscription": sub_id, "failing": failures[str(sub_id)]})

    app.add_url_rule(ROUTE, endpoint="mock_fail_payments", view_func=view, methods=["POST"])
