"""How long the dashboard's journal page takes with a full journal (10,000 entries): the goal is
under 200 ms.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--entries 10000] [--samples 50]
One `membermock serve` (journal of 10,000 entries per site, the default) is filled over HTTP by
real requests to the three APIs (lists, single objects, refused and invalid calls, with bodies),
then each page is fetched `--samples` times over HTTP, as a browser would: the figure is the
whole round trip (query, render, transfer) measured by the client. The page shows the latest 100
entries by default; 500 and a filtered view are measured too.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.server.harness import ADMIN_PASSWORD, API_KEY, Server  # noqa: E402

GOAL_MS = 200.0


def fill(server: Server, count: int) -> None:
    http = requests.Session()
    mp = {"MEMBERPRESS-API-KEY": API_KEY}
    admin = ("admin", ADMIN_PASSWORD)
    calls = [
        lambda n: http.get(server.url(f"/wp-json/mp/v1/members?page={n % 5 + 1}&per_page=10"), headers=mp),
        lambda n: http.get(server.url(f"/wp-json/mp/v1/members/{n % 50 + 1}"), headers=mp),
        lambda n: http.get(server.url("/wp-json/pmpro/v1/membership_levels"), auth=admin),
        lambda n: http.get(server.url(f"/wp-json/pmpro/v1/membership_level?id={n % 4 + 1}"), auth=admin),
        lambda n: http.get(server.url("/wp-json/wp-abilities/v1/abilities"), auth=admin),
        lambda n: http.get(server.url("/wp-json/mp/v1/transactions?status=complete"), headers=mp),
        lambda n: http.get(server.url("/wp-json/mp/v1/members")),                               # 401
        lambda n: http.post(server.url("/wp-json/mp/v1/members"), headers=mp, json={"email": f"x{n}"}),  # 400
    ]
    started = time.perf_counter()
    for n in range(count):
        calls[n % len(calls)](n)
    took = time.perf_counter() - started
    print(f"filled the journal with {count} requests in {took:.1f} s ({count / took:.0f} req/s)")


def timings(server: Server, path: str, samples: int) -> tuple[list[float], int]:
    http = requests.Session()
    size = len(http.get(server.url(path), timeout=30).content)   # warm up (templates compile once)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        answer = http.get(server.url(path), timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.status_code
    return times, size


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    server = Server(Path(tempfile.mkdtemp()) / "site.sqlite3", extra=["--journal-size", str(args.entries)]).start()
    try:
        fill(server, args.entries)
        count = requests.get(server.url("/__mock__/requests/count"), timeout=30).json()["count"]
        print(f"journal entries: {count}")
        worst = 0.0
        for path in ("/__mock__/ui/requests", "/__mock__/ui/requests?limit=500",
                     "/__mock__/ui/requests?api=memberpress&status=4xx&path=members", "/__mock__/"):
            times, size = timings(server, path, args.samples)
            median = statistics.median(times)
            p95 = sorted(times)[int(len(times) * 0.95) - 1]
            print(f"GET {path:<62} median {median:6.1f} ms  p95 {p95:6.1f} ms  max {max(times):6.1f} ms"
                  f"  ({size / 1024:.0f} KiB, {len(times)} samples)")
            if path == "/__mock__/ui/requests":
                worst = median
        verdict = "within" if worst < GOAL_MS else "OVER"
        print(f"journal page with {count} entries: median {worst:.1f} ms, {verdict} the {GOAL_MS:.0f} ms goal")
        return 0 if worst < GOAL_MS else 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
