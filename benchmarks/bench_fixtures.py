"""Fixture generation throughput: valid payloads per second, per contract (generation only).

Run: .venv/bin/python benchmarks/bench_fixtures.py [--seconds 0.5] [KIND ...]   (default: every contract)
Each kind is compiled and warmed up first (compilation happens once per process, and an object
built often is written out as one function: warm-up lasts until a batch of 200 writes out no new
object, at most 20,000 payloads or ten times --seconds of CPU); then payloads
are generated in batches of 200 for about --seconds and counted, against the wall clock and
against this process's CPU time (the second is closer to what a quiet machine would show when
others share the cores), and the CPU rate of the best batch is printed too (the least disturbed
one: on a loaded 2-core machine a shared core inflates CPU time as well). The goal is 10,000
payloads/s for every contract, on the CPU-time column.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures.compiler import Run, for_contract, written  # noqa: E402
from fixtures.generate import kind_seed  # noqa: E402
from membermock import contracts  # noqa: E402

GOAL = 10_000
WARM_UP = 20_000  # payloads at most before measuring (steady state: what a long run reaches)


def rate(kind: str, seconds: float) -> tuple[float, float, float, int]:
    """(payloads per wall second, per CPU second, per CPU second of the best batch, payloads made)."""
    gen, run = for_contract(kind), Run(kind_seed(kind, 1))
    warm, last = time.process_time() + 10 * seconds, -1
    for _ in range(WARM_UP // 200):  # caches and pools; objects built compiler.HOT times get written
        for _ in range(200):          # out, which for an event of memberpress.event's 44 takes ~1,500
            run.fresh()               # payloads: warm until a batch writes out nothing new
            gen(run, ())
        if written() == last or time.process_time() > warm:
            break
        last = written()
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    deadline, best = start + seconds, 0.0
    while True:
        batch = time.process_time()
        for _ in range(200):
            run.fresh()
            gen(run, ())
        done += 200
        best = max(best, 200 / max(time.process_time() - batch, 1e-9))
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start), done / max(time.process_time() - cpu, 1e-9), best, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*")
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    kinds = args.kinds or contracts.names()
    print(f"{'contract':55} {'payloads/s':>11} {'per CPU-s':>11} {'best batch':>11}")
    below = []
    for kind in kinds:
        wall, cpu, best, _ = rate(kind, args.seconds)
        flag = "" if cpu >= GOAL else "  < goal"
        if flag:
            below.append(kind)
        print(f"{kind:55} {wall:11,.0f} {cpu:11,.0f} {best:11,.0f}{flag}")
    print(f"{len(kinds) - len(below)} of {len(kinds)} contracts at {GOAL:,}/s or more (CPU time); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
