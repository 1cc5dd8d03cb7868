"""Options, the shared target, per-test outcomes and the end-of-run cleanup and report.

Without ``--base-url`` every test is skipped (the suite needs a server); ``--api`` keeps the tests
of one API, ``--read-only`` keeps only GET requests (tests that must write are skipped, saying so).
"""
from __future__ import annotations

import pytest

from conformance import contract, mocksite, report, state
from conformance.target import Options, Target


def pytest_addoption(parser):
    g = parser.getgroup("conformance", "membermock conformance suite")
    g.addoption("--base-url", help="root of the WordPress site (the part before /wp-json)")
    g.addoption("--api", default="all", choices=[*contract.API_NAMES, "all"])
    g.addoption("--mp-api-key", help="MemberPress Developer Tools API key (MEMBERPRESS-API-KEY)")
    g.addoption("--wp-user", help="WordPress administrator login (Basic auth with an application password)")
    g.addoption("--wp-app-password")
    g.addoption("--wp-subscriber", metavar="USER:APP_PASSWORD",
                help="a member without plugin capabilities, for the subscriber rules")
    g.addoption("--wp-subscriber-user", help="the same, as two options: the login ...")
    g.addoption("--wp-subscriber-app-password", help="... and its application password")
    g.addoption("--read-only", action="store_true", help="send GET requests only")
    g.addoption("--allow-irreversible", action="store_true",
                help="also exercise creates the API cannot undo (PMPro levels, discount codes, exports)")
    g.addoption("--max-examples", type=int, default=10, help="generated requests per operation and mode")
    g.addoption("--webhook-host", default="127.0.0.1",
                help="host/address the server can reach this machine's webhook listener at")
    g.addoption("--mp-webhook-key", help="the site's MemberPress webhook key: deliveries must carry it")
    g.addoption("--webhook-listen", metavar="HOST:PORT",
                help="only listen there and check the deliveries that arrive while you drive the site")
    g.addoption("--webhook-listen-for", type=float, metavar="SECONDS",
                help="with --webhook-listen: stop after this long (default: until interrupted)")
    g.addoption("--report", dest="conformance_report", metavar="FILE", help="write a Markdown report")
    g.addoption("--shard", metavar="I/N", help="run the I-th of N parts (from 1) of each API's generated-request "
                "tests, and with I = 1 every other test too (membermock conformance splits a run so)")
    g.addoption("--state-out", metavar="FILE", help="write what the run saw as JSON, for a merged report")


def pytest_configure(config):
    api = config.getoption("api")
    subscriber_user, subscriber_password = _subscriber(config)
    options = Options(
        base_url=config.getoption("base_url"),
        apis=contract.API_NAMES if api == "all" else (api,),
        mp_api_key=config.getoption("mp_api_key"),
        wp_user=config.getoption("wp_user"),
        wp_app_password=config.getoption("wp_app_password"),
        subscriber_user=subscriber_user,
        subscriber_app_password=subscriber_password,
        read_only=config.getoption("read_only"),
        allow_irreversible=config.getoption("allow_irreversible"),
        max_examples=config.getoption("max_examples"),
        webhook_host=config.getoption("webhook_host"),
        webhook_key=config.getoption("mp_webhook_key"),
        webhook_listen=config.getoption("webhook_listen"),
        webhook_listen_for=config.getoption("webhook_listen_for"),
        report=config.getoption("conformance_report"),
    )
    state.start(Target(options))
    config.addinivalue_line("markers", "api(name): the API a test checks")
    config.addinivalue_line("markers", "covers(*operation_ids): operations a scenario test exercises")
    config.addinivalue_line("markers", "event(name): the webhook event a test checks")
    config.addinivalue_line("markers", "writes: the test changes server state (skipped by --read-only)")
    config.addinivalue_line("markers", "listen: checks deliveries a run the user drives sends (--webhook-listen)")


def _subscriber(config) -> tuple[str | None, str | None]:
    """--wp-subscriber USER:APP_PASSWORD, or the two separate options (an application password may
    hold spaces but no colon; the login is what comes before the first colon)."""
    both = config.getoption("wp_subscriber")
    if both:
        user, sep, password = both.partition(":")
        if not sep or not user or not password:
            raise pytest.UsageError("--wp-subscriber takes USER:APP_PASSWORD")
        return user, password
    return config.getoption("wp_subscriber_user"), config.getoption("wp_subscriber_app_password")


def _shard(config) -> tuple[int, int]:
    value = config.getoption("shard")
    if not value:
        return 1, 1
    part, _, parts = value.partition("/")
    if not (part.isdigit() and parts.isdigit() and 1 <= int(part) <= int(parts)):
        raise pytest.UsageError("--shard takes I/N, 1 <= I <= N")
    return int(part), int(parts)


def _api_of(item) -> str | None:
    marker = item.get_closest_marker("api")
    return marker.args[0] if marker else None


def pytest_collection_modifyitems(config, items):
    options = state.target().options
    keep, dropped = [], []
    part, parts = _shard(config)
    generated = 0
    for item in items:
        api = _api_of(item)
        # --webhook-listen runs only the listening checks; without it they are not collected at all
        wrong_mode = bool(item.get_closest_marker("listen")) != bool(options.webhook_listen)
        other_shard = False
        if parts > 1 and not wrong_mode and (not api or api in options.apis):
            if report.LABEL.search(item.name) and item.nodeid.split("::")[0].endswith("test_schema.py"):
                # Generated requests, dealt round the shards; the first, which runs everything
                # else too, takes one in 2N-1 (MemberPress's two shards then take about as long).
                deal = [1, *range(2, parts + 1), *range(2, parts + 1)]
                other_shard = deal[generated % len(deal)] != part
                generated += 1
            else:
                other_shard = part != 1                       # everything else: the first shard
        (dropped if wrong_mode or other_shard or api and api not in options.apis else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    for item in items:
        if not options.base_url and not options.webhook_listen:
            item.add_marker(pytest.mark.skip(reason="no --base-url: the conformance suite needs a server"))
        elif options.read_only and item.get_closest_marker("writes"):
            item.add_marker(pytest.mark.skip(reason="--read-only: this test changes server state"))
        elif reason := _schema_item_skip(item, options):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def target():
    return state.target()


@pytest.fixture(scope="session")
def disposable(target):
    """A disposable site of a membermock target (conformance/mocksite.py), or None on any other server."""
    site = mocksite.create(target)
    yield site
    if site is not None:
        mocksite.remove(target, site)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report.record(item, outcome)
    return outcome


def pytest_sessionfinish(session):
    target = state.target()
    if target.options.base_url and not target.options.read_only:
        target.clean_up()
    if target.options.report:
        report.write(target, target.options.report)
    if session.config.getoption("state_out"):
        report.dump(target, session.config.getoption("state_out"))


def pytest_terminal_summary(terminalreporter):
    target = state.target()
    if target.options.base_url:
        for line in report.summary_lines(target):
            terminalreporter.write_line(line)


def _schema_item_skip(item, options) -> str | None:
    """Why a generated-request test of one operation cannot run with these options, if it cannot."""
    label = report.LABEL.search(item.name)
    op = contract.labels().get(label.group(1)) if label else None
    if op is None:
        return None
    if options.read_only and op.method != "GET":
        return f"--read-only: {op.op_id} is a {op.method}"
    if contract.irreversible(op) and not options.allow_irreversible:
        return (f"{op.op_id} creates objects no enabled operation deletes; "
                f"pass --allow-irreversible to exercise it (e.g. on a disposable site)")
    if not op.public and state.target().credentials(op.api) is None:
        return (f"no credentials for {op.api} (--mp-api-key or --wp-user/--wp-app-password); "
                f"{op.op_id} is not public")
    return None
