"""pytest fixtures for integrators' tests: a real mock server, a fresh site per test, a webhook receiver.

Registered through the ``pytest11`` entry point, so installing membermock is enough:

    def test_sync(membermock_site, webhook_receiver):
        membermock_site.fault(path="/wp-json/mp/v1/members*", status=503, times=1)
        ...

``membermock`` starts one `membermock serve` process per test session (or uses the one at
``--membermock-url``); ``membermock_site`` gives each test an isolated site on it, deleted after
the test; ``webhook_receiver`` listens on loopback and is subscribed to every MemberPress event of
that site.
"""
from __future__ import annotations

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("membermock", "membermock mock server")
    group.addoption("--membermock-url", default=None,
                    help="use the membermock server at this URL instead of starting one")
    group.addoption("--membermock-workers", type=int, default=2,
                    help="worker processes of the server the session starts (default 2)")


@pytest.fixture(scope="session")
def membermock(request):
    """The mock server: started for the session, or the running one given by --membermock-url."""
    from membermock.client import MockServer

    url = request.config.getoption("membermock_url")
    if url:
        server = MockServer(url)
        server.health()
        yield server
        return
    server = MockServer.start(workers=request.config.getoption("membermock_workers"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def membermock_site(membermock):
    """A fresh isolated site for this test (the seeded data set), removed afterwards."""
    site = membermock.new_site()
    try:
        yield site
    finally:
        site.delete()


@pytest.fixture
def webhook_receiver(membermock_site):
    """A real HTTP listener subscribed to every MemberPress event of this test's site."""
    from membermock.client import WebhookReceiver

    receiver = WebhookReceiver()
    membermock_site.subscribe(receiver.url)
    try:
        yield receiver
    finally:
        receiver.stop()
