"""The ``membermock`` command: one entry point, one small function per sub-command."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from membermock import contracts


def _validate(args) -> int:
    if args.list:
        for name in contracts.names():
            print(name)
        return 0
    if not args.kind or not args.files:
        print("usage: membermock validate KIND FILE... (or --list)", file=sys.stderr)
        return 2
    try:
        contracts.validator(args.kind)
    except contracts.UnknownSchema as exc:
        print(f"membermock validate: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for file in args.files:
        try:
            payload = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            print(f"{file}: not readable JSON: {exc}")
            failed += 1
            continue
        found = contracts.problems(args.kind, payload)
        if found:
            failed += 1
            for problem in found:
                print(f"{file}: {problem}")
        elif not args.quiet:
            print(f"{file}: valid {args.kind}")
    total = len(args.files)
    print(f"{total - failed} of {total} valid against {args.kind}", file=sys.stderr)
    return 1 if failed else 0


def _serve(args) -> int:
    from mock_server.config import Config
    from mock_server.serve import serve

    from mock_server.webhooks.hooks import parse

    try:
        webhooks = tuple(parse(spec) for spec in args.webhook)
    except ValueError as exc:
        print(f"membermock serve: {exc}", file=sys.stderr)
        return 2
    faults = []
    for spec in args.fault:
        try:
            faults.append(json.loads(spec))
        except ValueError:
            print(f"membermock serve: --fault takes a JSON object, e.g. '{{\"path\": \"/wp-json/mp/v1/*\", "
                  f"\"status\": 503, \"times\": 2}}'; got {spec!r}", file=sys.stderr)
            return 2
    if args.journal_size < 0:
        print("membermock serve: --journal-size is 0 (off) or more", file=sys.stderr)
        return 2
    if args.now:
        from mock_server.clock import ClockError, parse_moment
        try:
            parse_moment(args.now)
        except ClockError as exc:
            print(f"membermock serve: --now: {exc}", file=sys.stderr)
            return 2
    from mock_server.control_access import is_loopback
    config = Config(db=args.db, seed=args.seed, mp_api_key=args.mp_api_key,
                    admin_app_password=args.admin_app_password, pmpro_allow_delete=args.pmpro_allow_delete,
                    mp_optional_routes=args.mp_optional_routes, mp_webhook_key=args.mp_webhook_key,
                    webhooks=webhooks, journal_size=args.journal_size, now=args.now, frozen=args.frozen,
                    dashboard=args.dashboard, control_auth=not args.open_control and not is_loopback(args.host))
    return serve(config, args.host, args.port, args.workers, scenario=args.scenario, faults=tuple(faults))


def _add_validate(sub) -> None:
    v = sub.add_parser("validate", help="validate JSON files against a named contract")
    v.add_argument("kind", nargs="?", help="contract name, e.g. memberpress.event (see --list)")
    v.add_argument("files", nargs="*", metavar="FILE")
    v.add_argument("--list", action="store_true", help="print the contract names and exit")
    v.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    v.set_defaults(run=_validate)


def _add_serve(sub) -> None:
    from mock_server import config as defaults

    s = sub.add_parser("serve", help="run the mock server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--db", default=str(defaults.DEFAULT_DB),
                   help="SQLite file (created and seeded on first start, reused after), :memory:, or a "
                        "PostgreSQL URL postgresql://user@host/db that several instances share (docs/deploy.md)")
    s.add_argument("--seed", type=int, default=1, help="seed of the generated site data")
    s.add_argument("--mp-api-key", default=defaults.DEFAULT_MP_API_KEY)
    s.add_argument("--admin-app-password", default=defaults.DEFAULT_ADMIN_APP_PASSWORD,
                   help="application password of the seeded administrator 'admin'")
    s.add_argument("--workers", type=int, default=1, help="worker processes sharing the database")
    s.add_argument("--webhook", action="append", default=[], metavar="URL[=EVENT,...]",
                   help="subscribe URL to MemberPress events (all, or the listed ones); repeatable")
    s.add_argument("--mp-webhook-key", default=defaults.DEFAULT_MP_WEBHOOK_KEY,
                   help="sent as MEMBERPRESS-WEBHOOK-KEY with every delivery")
    s.add_argument("--pmpro-allow-delete", action="store_true",
                   help="let DELETE /pmpro/v1/membership_level through, as a site filtering pmpro_rest_api_methods does")
    s.add_argument("--scenario", metavar="FILE",
                   help="start from this scenario (YAML or JSON): it replaces the site's data at every start")
    s.add_argument("--fault", action="append", default=[], metavar="JSON",
                   help="a fault set at start, e.g. '{\"path\": \"/wp-json/mp/v1/*\", \"status\": 503, \"times\": 2}'; repeatable")
    s.add_argument("--journal-size", type=int, default=defaults.DEFAULT_JOURNAL_SIZE,
                   help="request journal entries kept per site (default %(default)s; 0 turns the journal off)")
    s.add_argument("--now", metavar="ISO", help="the site's clock at start, e.g. 2027-01-01T00:00:00Z (default: real time)")
    s.add_argument("--frozen", action="store_true", help="the clock stands still until moved (POST /__mock__/clock)")
    s.add_argument("--mp-optional-routes", action="store_true",
                   help="serve the MemberPress routes the vendor README says many sites lack (/me/permissions, "
                        "/member_options, /membership_options, /memberships/{id}/member_options)")
    s.add_argument("--no-dashboard", dest="dashboard", action="store_false",
                   help="no HTML dashboard at /__mock__/ (the JSON control routes stay)")
    s.add_argument("--open-control", action="store_true",
                   help="beyond loopback, let the control routes and dashboard in without the admin's application password")
    s.set_defaults(run=_serve)


# Sub-command -> the function (or the module whose add_parser) that declares it. Only the one
# asked for is imported: `validate` and `fixtures` run in shell loops, where start-up is the cost.
SUBCOMMANDS = {
    "validate": _add_validate,
    "serve": _add_serve,
    "webhooks": "membermock.listen",
    "fixtures": "fixtures.cli",
    "conformance": "conformance.cli",
}


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="membermock", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)
    chosen = next((a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")), None)
    for name, add in SUBCOMMANDS.items():
        if chosen in SUBCOMMANDS and name != chosen:
            continue  # help and typos see every sub-command; a known one needs only its own
        if isinstance(add, str):
            from importlib import import_module

            add = import_module(add).add_parser
        add(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser(argv).parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
