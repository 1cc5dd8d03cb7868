"""Fixture generation throughput: valid payloads per second, per contract (generation only).

Run: .venv/bin/python benchmarks/bench_fixtures.py [--seconds 0.5] [KIND ...]   (default: every contract)
Each kind is compiled and warmed up first (compilation happens once per process); then payloads
are generated for about --seconds and counted, against the wall clock and against this process's
CPU time (the second is what a quiet machine would show when others share the cores). The goal
is 10,000 payloads/s for every contract.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.compiler import Run, for_contract  # noqa: E402
from fixtures.generate import kind_seed  # noqa: E402
from membermock import contracts  # noqa: E402

GOAL = 10_000


def rate(kind: str, seconds: float) -> tuple[float, float, int]:
    """(payloads per wall second, payloads per CPU second, payloads made)."""
    gen, run = for_contract(kind), Run(kind_seed(kind, 1))
    for _ in range(200):  # warm caches and pools
        run.fresh()
        gen(run, ())
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(200):
            run.fresh()
            gen(run, ())
        done += 200
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start), done / max(time.process_time() - cpu, 1e-9), done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*")
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    kinds = args.kinds or contracts.names()
    print(f"{'contract':55} {'payloads/s':>11} {'per CPU-s':>11}")
    below = []
    for kind in kinds:
        wall, cpu, _ = rate(kind, args.seconds)
        flag = "" if cpu >= GOAL else "  < goal"
        if flag:
            below.append(kind)
        print(f"{kind:55} {wall:11,.0f} {cpu:11,.0f}{flag}")
    print(f"{len(kinds) - len(below)} of {len(kinds)} contracts at {GOAL:,}/s or more (CPU time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
