"""Webhook conformance: the suite listens, subscribes through the server's webhook API, causes every
event the contract documents, and checks each delivery.

Causes: REST calls for every event one can cause (``webhook_plan.Plan.run_rest``); the events no
REST call causes (login, reminders, course progress, corporate sub accounts) through the mock's
control API when the target offers it (found by probing its open health route); otherwise skipped,
saying why. Checks per event (``webhook_checks``): it arrives, its payload fits its contract, its
delivery headers are the documented ones, the ids in it are the objects acted on and agree with
the REST read-back, the events of one change arrive in the documented order, and no delivery
comes twice (the listener answers 200, so the sender has no reason to retry).

The listener is an HTTP server in this process on a free port; the URL handed to the server uses
``--webhook-host`` (default 127.0.0.1). A server answering 404 to the subscribe route does not
offer webhooks: skipped, saying so.
"""
from __future__ import annotations

import pytest

from conformance import memberpress as mp
from conformance import report
from conformance.checking import Nonconformance
from conformance import webhook_checks as checks
from conformance.webhook_listener import Listener
from conformance.webhook_plan import Plan

pytestmark = [pytest.mark.api("memberpress"), pytest.mark.writes]
WAIT = 20.0    # at most, for the last expected delivery, counted from the last change ...
IDLE = 3.0     # ... but no longer once nothing has arrived for this long
QUIET = 0.3    # then until nothing more comes for this long (a duplicate would be right behind)
NO_CAUSE = ("no REST call causes {event} and the server offers no control API to send it "
            "(membermock's POST /__mock__/events/{{event}}); point the suite at deliveries it cannot cause "
            "with --webhook-listen")


def _matches(expect, delivery) -> bool:
    return delivery.event == expect.event and (expect.id is None or checks.ident(delivery.data.get("id")) == expect.id)


def _all_came(plan):
    wanted = [x for c in plan.changes for x in c.expects]

    def done(deliveries):
        return all(any(_matches(x, d) for d in deliveries) for x in wanted)
    return done


def _read_back(target, cache: dict, event: str, about: str | None):
    """The object as its REST route answers now (None when gone or not readable)."""
    if about is None:
        return None
    kind = checks.event_type(event)
    key = (kind, about)
    if key not in cache:
        r = mp.call(target, "GET", f"/{kind}s/{about}")
        cache[key] = r.json() if r.status_code == 200 else None
    return cache[key]


def _verdicts(target, plan, deliveries) -> dict:
    """event -> {"causes": [...], "problems": [...], "seen": n}"""
    out = {e: {"causes": [], "problems": [], "seen": 0} for e in checks.events()}
    unique = checks.first_of(deliveries)
    for d in deliveries:
        if d.event in out:
            out[d.event]["seen"] += 1
    for event, problem in checks.duplicates(deliveries):
        if event in out:
            out[event]["problems"].append(problem)
    cache, used = {}, set()
    for change in plan.changes:
        arrived = []
        for x in change.expects:
            v = out[x.event]
            v["causes"].append(f"{change.cause}: {change.name}")
            d = next((d for d in unique if d.seq not in used and _matches(x, d)), None)
            if d is None:
                v["problems"].append(f"rule 'event sent' broken: {x.label} not delivered (waited until {IDLE:.0f} s "
                                     f"passed with no delivery) after the change '{change.name}'")
                continue
            used.add(d.seq)
            arrived.append((d.seq, x.label))
            v["problems"] += checks.payload_problems(d) + checks.header_problems(d)
            v["problems"] += checks.key_problems(d, target.options.webhook_key)
            if x.event != "member-deleted":
                v["problems"] += checks.id_problems(d, _read_back(target, cache, x.event, x.id), x.id)
            else:
                gone = mp.call(target, "GET", f"/members/{plan.deleted}")
                if gone.status_code != 404:
                    v["problems"].append(f"rule 'payload ids match REST' broken: member-deleted sent but "
                                         f"GET /members/{plan.deleted} answers {gone.status_code}")
        order = checks.order_problems(change.name, [x.label for x in change.expects],
                                      [label for _, label in sorted(arrived)])
        for x in change.expects:
            out[x.event]["problems"] += [p for p in order if p not in out[x.event]["problems"]]
    return out


@pytest.fixture(scope="module")
def verdicts(target):
    mp.require(target)
    plan = Plan(target)
    with Listener(target.options.webhook_host) as listener:
        sub = mp.call(target, "POST", "/webhooks/subscribe", json={"url": listener.url, "event": "all"})
        if sub.status_code == 404:
            pytest.skip("the server does not offer webhooks (subscribeWebhook answered 404)")
        assert sub.status_code == 201, f"subscribeWebhook: expected 201, got {sub.status_code}: {sub.text[:200]}"
        hook = sub.json()["data"]["id"]
        try:
            plan.run_rest()
            caused = {x.event for c in plan.changes for x in c.expects}
            left = [e for e in checks.events() if e not in caused]
            control = plan.offers_control()
            if control:
                plan.run_control(left)
            listener.wait(_all_came(plan), WAIT, idle=IDLE)
            listener.quiet(QUIET, WAIT)
        finally:
            mp.call(target, "DELETE", f"/webhooks/unsubscribe/{hook}")
        deliveries = listener.deliveries()
    found = _verdicts(target, plan, deliveries)
    for event, v in found.items():
        if not v["causes"]:
            v["skip"] = NO_CAUSE.format(event=event)
    return found


@pytest.mark.parametrize("event", [pytest.param(e, marks=pytest.mark.event(e), id=e) for e in checks.events()])
def test_event_arrives_valid(event, verdicts, request):
    v = verdicts[event]
    if v.get("skip"):
        report.note(request.node, "cause", "skipped")
        pytest.skip(v["skip"])
    kinds = sorted({c.split(":", 1)[0] for c in v["causes"]})
    report.note(request.node, "cause", " and ".join(kinds))
    report.note(request.node, "changes", "; ".join(dict.fromkeys(c.split(": ", 1)[1] for c in v["causes"])))
    if v["problems"]:
        raise Nonconformance(f"{event}: " + "\n".join(dict.fromkeys(v["problems"])))
