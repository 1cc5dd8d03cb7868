"""``membermock conformance``: the suite in this package, run by pytest with the given options.

The options map one to one onto the pytest options conformance/conftest.py registers, so
``pytest conformance/ --base-url ...`` is the same run. Exit status is pytest's: 0 only when
every test passed or was skipped (with its reason in the report).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

from conformance import contract

PACKAGE = Path(__file__).resolve().parent
PLUGINS = ("--disable-plugin-autoload", "-p", "schemathesis.pytest.plugin", "-p", "_hypothesis_pytestplugin")


def pytest_args(args) -> list[str]:
    where = PACKAGE / "test_webhook_listen.py" if args.webhook_listen else PACKAGE   # collect only what runs
    out = [str(where), "-p", "no:cacheprovider", "--rootdir", str(PACKAGE), "-c", str(PACKAGE / "pytest.ini"),
           # Only the plugins the suite uses: autoloading every installed one (xdist, faker, anyio,
           # membermock's own) and rewriting their modules' asserts cost each process ~6 s of CPU.
           *PLUGINS,
           "--api", args.api, "--max-examples", str(args.max_examples),
           "--webhook-host", args.webhook_host, "-q", "-rfEs", "--tb=line",
           "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for flag, value in (("--base-url", args.base_url), ("--mp-api-key", args.mp_api_key), ("--wp-user", args.wp_user),
                        ("--wp-app-password", args.wp_app_password),
                        ("--wp-subscriber", args.wp_subscriber),
                        ("--wp-subscriber-user", args.wp_subscriber_user),
                        ("--wp-subscriber-app-password", args.wp_subscriber_app_password),
                        ("--report", args.report), ("--junitxml", args.junit_xml),
                        ("--mp-webhook-key", args.mp_webhook_key), ("--webhook-listen", args.webhook_listen),
                        ("--webhook-listen-for", args.webhook_listen_for and str(args.webhook_listen_for))):
        if value:
            out += [flag, value]
    if args.read_only:
        out.append("--read-only")
    if args.allow_irreversible:
        out.append("--allow-irreversible")
    return out + list(args.pytest_args or [])


def run(args) -> int:
    if not args.base_url and not args.webhook_listen:
        sys.exit("membermock conformance: --base-url is required (unless only --webhook-listen)")
    if args.workers != 1 and args.api == "all" and not args.webhook_listen:
        return _run_parallel(args)
    import pytest

    return int(pytest.main(pytest_args(args)))


# Generated requests per process: about this many operations' worth (MemberPress's 72 make two).
OPERATIONS_PER_SHARD = 40


def shards(apis) -> list[tuple[str, int, int]]:
    """(api, part, parts): each API's generated-request tests dealt over ceil(operations / 40)
    processes, the first of which also runs the API's other tests."""
    out = []
    for api in apis:
        parts = max(1, math.ceil(len(contract.operations(api)) / OPERATIONS_PER_SHARD))
        out += [(api, part, parts) for part in range(1, parts + 1)]
    return out


def _run_parallel(args) -> int:
    """The APIs in parallel processes (their generated requests split where there are many), up
    to --workers at a time; their JUnit files are merged, and one report is written from what all
    of them saw."""
    import subprocess
    import tempfile
    import xml.etree.ElementTree as ET
    from concurrent.futures import ThreadPoolExecutor

    from conformance import report
    from conformance.target import Options, Target

    work = Path(tempfile.mkdtemp(prefix="membermock-conformance-"))
    jobs = shards(contract.API_NAMES)
    name = {job: job[0] if job[2] == 1 else f"{job[0]}-{job[1]}of{job[2]}" for job in jobs}

    def one(job) -> int:
        argv = [sys.executable, "-m", "membermock.cli", "conformance", *_own_argv(args, job, work / name[job])]
        with open(work / f"{name[job]}.log", "w", encoding="utf-8") as log:
            return subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT).returncode

    with ThreadPoolExecutor(max_workers=args.workers or len(jobs)) as pool:
        codes = dict(zip(jobs, pool.map(one, jobs)))
    for job in jobs:
        print(f"== {name[job]}: exit {codes[job]}\n" + (work / f"{name[job]}.log").read_text(encoding="utf-8"))
    if args.junit_xml:
        merged = ET.Element("testsuites")
        for job in jobs:
            path = work / f"{name[job]}.xml"
            if path.exists():
                merged.extend(ET.parse(path).getroot().iter("testsuite"))
        ET.ElementTree(merged).write(args.junit_xml, encoding="utf-8", xml_declaration=True)
    target = Target(Options(base_url=args.base_url, mp_api_key=args.mp_api_key, wp_user=args.wp_user,
                            wp_app_password=args.wp_app_password, subscriber_user=_subscriber(args)[0],
                            subscriber_app_password=_subscriber(args)[1], read_only=args.read_only,
                            allow_irreversible=args.allow_irreversible, max_examples=args.max_examples))
    report.merge(target, [p for job in jobs if (p := work / f"{name[job]}.json").exists()])
    if args.report:
        report.write(target, args.report)
    print("\n".join(report.summary_lines(target)))
    ran = [code for code in codes.values() if code != NO_TESTS]   # a -k can leave a shard nothing to run
    return max(ran) if ran else NO_TESTS


NO_TESTS = 5   # pytest's exit status when nothing was collected


def _subscriber(args) -> tuple[str | None, str | None]:
    if args.wp_subscriber:
        user, _, password = args.wp_subscriber.partition(":")
        return user, password
    return args.wp_subscriber_user, args.wp_subscriber_app_password


def _own_argv(args, job, stem: Path) -> list[str]:
    api, part, parts = job
    out = ["--base-url", args.base_url, "--api", api, "--max-examples", str(args.max_examples),
           "--webhook-host", args.webhook_host, "--junit-xml", f"{stem}.xml", "--workers", "1"]
    for flag, value in (("--mp-api-key", args.mp_api_key), ("--wp-user", args.wp_user),
                        ("--wp-app-password", args.wp_app_password),
                        ("--wp-subscriber", args.wp_subscriber),
                        ("--wp-subscriber-user", args.wp_subscriber_user),
                        ("--wp-subscriber-app-password", args.wp_subscriber_app_password),
                        ("--mp-webhook-key", args.mp_webhook_key)):
        if value:
            out += [flag, value]
    out += [flag for flag, on in (("--read-only", args.read_only), ("--allow-irreversible", args.allow_irreversible)) if on]
    return out + ["--", "--state-out", f"{stem}.json", *(["--shard", f"{part}/{parts}"] if parts > 1 else []),
                  *(args.pytest_args or [])]


def add_parser(sub) -> None:
    c = sub.add_parser("conformance", help="check a server (real or mock) against the contracts",
                       description=__doc__.split("\n\n")[0])
    c.add_argument("--base-url", help="site root, e.g. https://staging.example.com (required but with --webhook-listen)")
    c.add_argument("--api", default="all", choices=[*contract.API_NAMES, "all"])
    c.add_argument("--mp-api-key", help="MemberPress Developer Tools key")
    c.add_argument("--wp-user", help="administrator login for Basic auth (PMPro, abilities; MemberPress without a key)")
    c.add_argument("--wp-app-password", help="that user's application password")
    c.add_argument("--wp-subscriber", metavar="USER:APP_PASSWORD",
                   help="a member without plugin capabilities: runs the subscriber checks (PMPro's per-route 403s, "
                        "members reading their own orders, access to restricted posts)")
    c.add_argument("--wp-subscriber-user", help="the same, as two options: the login ...")
    c.add_argument("--wp-subscriber-app-password", help="... and its application password")
    c.add_argument("--read-only", action="store_true", help="send GET requests only")
    c.add_argument("--allow-irreversible", action="store_true",
                   help="also exercise creates the API cannot undo (PMPro levels, discount codes, exports)")
    c.add_argument("--junit-xml", metavar="FILE", help="write JUnit XML")
    c.add_argument("--report", metavar="FILE", help="write a Markdown report with coverage")
    c.add_argument("--max-examples", type=int, default=25, help="generated requests per operation (default 25)")
    c.add_argument("--workers", type=int, default=0,
                   help="with --api all: check the APIs in up to N parallel processes (default: one per API, two for "
                        "MemberPress's generated requests; 1 runs everything in one process)")
    c.add_argument("--webhook-host", default="127.0.0.1",
                   help="address the server reaches this machine's webhook listener at")
    c.add_argument("--mp-webhook-key", help="the site's MemberPress webhook key: every delivery must carry it")
    c.add_argument("--webhook-listen", metavar="HOST:PORT",
                   help="instead of the suite: listen there for MemberPress webhooks while you drive the site, "
                        "then check each event that arrived (subscribe http://HOST:PORT/ on the site)")
    c.add_argument("--webhook-listen-for", type=float, metavar="SECONDS",
                   help="with --webhook-listen: stop after this long (default: until Ctrl-C)")
    c.add_argument("pytest_args", nargs="*", metavar="-- PYTEST-ARG", help="passed on to pytest (after --)")
    c.set_defaults(run=run)


if __name__ == "__main__":  # pragma: no cover
    from membermock.cli import main
    sys.exit(main(["conformance", *sys.argv[1:]]))
