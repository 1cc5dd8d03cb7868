"""Start-up of the command line: one ``membermock validate`` of one file, one ``membermock fixtures -n 1``.

Run: .venv/bin/python benchmarks/bench_cli.py [--runs 15] [KIND]   (default KIND memberpress.member)
Both commands run in shell loops over many files, so a call's cost is its start-up. Each command is
run --runs times (after one warm-up run, so the file cache is warm) as ``python -m membermock.cli``
from this checkout; printed: the median and best wall time, and the median CPU time (user + system
of the child), which is what a quiet machine would show when others share the cores. The goal is
0.3 s for a one-file validate.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.3


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(argv: list[str], runs: int) -> tuple[float, float, float]:
    timed(argv)
    walls, cpus = zip(*(timed(argv) for _ in range(runs)))
    return statistics.median(walls), min(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", nargs="?", default="memberpress.member")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "membermock.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "payload.json"
        made = subprocess.run(cli + ["fixtures", args.kind, "--count", "1", "--out", "-"], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        sample.write_text(made.stdout.strip()[1:-1], encoding="utf-8")  # the one payload of the list
        commands = {
            f"validate {args.kind} <one file>": cli + ["validate", args.kind, str(sample)],
            f"fixtures {args.kind} -n 1": cli + ["fixtures", args.kind, "--count", "1", "--out", "-"],
            "python -c pass (the floor)": [sys.executable, "-c", "pass"],
        }
        print(f"{'command':48} {'wall median':>12} {'wall best':>10} {'CPU median':>11}")
        for label, argv in commands.items():
            median, best, cpu = measure(argv, args.runs)
            print(f"{label:48} {median:11.3f}s {best:9.3f}s {cpu:10.3f}s")
    print(f"goal: {GOAL} s for a one-file validate; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
