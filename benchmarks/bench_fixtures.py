"""Fixture generation throughput: valid payloads per second, generation only (no JSON, no disk).

Run: .venv/bin/python benchmarks/bench_fixtures.py [--seconds 2] [KIND ...]
Each kind is compiled and warmed up first (compilation happens once per process); then payloads
are generated for about --seconds and counted. The target for flat objects is 10,000/s.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.compiler import Run, for_contract  # noqa: E402
from fixtures.generate import kind_seed  # noqa: E402

DEFAULT = [
    ("memberpress.member", "member (nested transactions, subscriptions, memberships)"),
    ("memberpress.transaction", "transaction (id-or-object references)"),
    ("memberpress.events.transaction-completed", "webhook event"),
    ("memberpress.event", "webhook event, any of the 38"),
    ("memberpress.coupon", "flat object"),
    ("pmpro.order", "flat object"),
    ("memberpress.requests.member-create", "flat request body"),
    ("wc.plan", "object with if/then/else"),
]


def rate(kind: str, seconds: float) -> tuple[float, int]:
    gen, run = for_contract(kind), Run(kind_seed(kind, 1))
    for _ in range(200):  # compile lazily-built branches and warm caches
        run.fresh()
        gen(run, ())
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(500):
            run.fresh()
            gen(run, ())
        done += 500
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start), done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    rows = [(k, "") for k in args.kinds] or DEFAULT
    print(f"{'contract':45} {'payloads/s':>12}  note")
    for kind, note in rows:
        per_second, _ = rate(kind, args.seconds)
        print(f"{kind:45} {per_second:12,.0f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
