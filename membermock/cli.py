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
    from mock_server.app import create_app

    app = create_app()
    print(f"membermock listening on http://{args.host}:{args.port}", flush=True)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="membermock", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate JSON files against a named contract")
    v.add_argument("kind", nargs="?", help="contract name, e.g. memberpress.event (see --list)")
    v.add_argument("files", nargs="*", metavar="FILE")
    v.add_argument("--list", action="store_true", help="print the contract names and exit")
    v.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    v.set_defaults(run=_validate)

    s = sub.add_parser("serve", help="run the mock server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.set_defaults(run=_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
