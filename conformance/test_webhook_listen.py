"""Deliveries the suite cannot cause itself: with ``--webhook-listen HOST:PORT`` the suite only
listens there while the user drives the site (checkouts, cron, logins, a gateway's callbacks),
for ``--webhook-listen-for`` seconds or until interrupted (Ctrl-C), then checks each event that
arrived and reports per event.

Checks: the payload fits its event's contract, the delivery headers are the documented ones
(and carry ``--mp-webhook-key`` when given), no delivery comes twice, and, with ``--base-url`` and
credentials, the object a payload names exists over REST and agrees with it on every reference.
The order within one change is not checked here: the suite does not know which deliveries one
change made. An event that did not arrive is skipped, saying so.
"""
from __future__ import annotations

import signal
import threading
import time

import pytest

from conformance import memberpress as mp
from conformance import report
from conformance.checking import Nonconformance
from conformance import webhook_checks as checks
from conformance.webhook_listener import Listener

pytestmark = [pytest.mark.api("memberpress"), pytest.mark.listen]


def address(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``:PORT`` or ``PORT`` (all addresses when no host is given)."""
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise pytest.UsageError(f"--webhook-listen takes HOST:PORT, got {text!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def _until_stopped(seconds: float | None) -> float:
    """Block for ``seconds`` or until SIGINT; how long it was."""
    stop, started = threading.Event(), time.monotonic()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait(seconds)
    finally:
        signal.signal(signal.SIGINT, previous)
    return time.monotonic() - started


def _read_back(target, event: str, about: str | None):
    if about is None or not target.options.base_url or target.credentials(mp.API) is None:
        return None
    r = mp.call(target, "GET", f"/{checks.event_type(event)}s/{about}")
    return r.json() if r.status_code == 200 else None


@pytest.fixture(scope="module")
def heard(target, request):
    host, port = address(target.options.webhook_listen)
    with Listener(host, port, bind=host, path="/") as listener:
        how_long = target.options.webhook_listen_for
        with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
            print(f"\nmembermock conformance: listening for MemberPress webhooks at {listener.url} "
                  f"({f'{how_long:g} s' if how_long else 'until Ctrl-C'}); drive the site now", flush=True)
        spent = _until_stopped(how_long)
        deliveries = listener.deliveries()
    out = {e: [] for e in checks.events()}
    for event, problem in checks.duplicates(deliveries):
        if event in out:
            out[event].append(problem)
    seen = {}
    for d in checks.first_of(deliveries):
        if d.event not in out:
            out.setdefault("(unknown)", []).extend(checks.payload_problems(d))
            continue
        seen[d.event] = seen.get(d.event, 0) + 1
        out[d.event] += checks.payload_problems(d) + checks.header_problems(d)
        out[d.event] += checks.key_problems(d, target.options.webhook_key)
        if d.event != "member-deleted":
            about = checks.ident(d.data.get("id"))
            stored = _read_back(target, d.event, about)
            out[d.event] += checks.id_problems(d, stored, None)
    return {"problems": out, "seen": seen, "seconds": spent, "url": listener.url}


@pytest.mark.parametrize("event", [pytest.param(e, marks=pytest.mark.event(e), id=e) for e in checks.events()])
def test_event_heard_valid(event, heard, request):
    n = heard["seen"].get(event, 0)
    report.note(request.node, "cause", "the user's run" if n else "skipped")
    if not n:
        pytest.skip(f"not delivered to {heard['url']} during the {heard['seconds']:.0f} s listened")
    report.note(request.node, "changes", f"{n} delivery(ies) heard")
    problems = list(dict.fromkeys(heard["problems"][event]))
    if problems:
        raise Nonconformance(f"{event}: " + "\n".join(problems))


def test_no_unknown_event(heard):
    """A delivery naming no documented event breaks the envelope contract."""
    problems = heard["problems"].get("(unknown)", [])
    if problems:
        raise Nonconformance("\n".join(problems))
