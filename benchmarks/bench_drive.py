"""What driving the mock from tests costs: time to create an isolated site, and GET throughput
with the request journal on and off.

Run: .venv/bin/python benchmarks/bench_drive.py [--sites 100] [--seconds 8] [--rounds 3]
Two `membermock serve --workers 2` processes, identical but for `--journal-size 0`, are loaded by
wrk (Debian package) in alternating rounds, so both see the same machine; the journal's cost is
the ratio of their medians. Sites are created one after another over HTTP, as a test suite
would, after one warm-up creation (which builds the template copied by all the others).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench import Workload, lua, wrk  # noqa: E402
from tests.server.harness import API_KEY, Server  # noqa: E402


def site_times(server: Server, count: int) -> list[float]:
    http = requests.Session()
    http.post(server.url("/__mock__/sites"), json={}, timeout=60).raise_for_status()   # builds the template
    times = []
    for _ in range(count):
        started = time.perf_counter()
        made = http.post(server.url("/__mock__/sites"), json={}, timeout=60)
        times.append((time.perf_counter() - started) * 1000)
        made.raise_for_status()
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp())
    on = Server(tmp / "on.sqlite3", workers=2).start()
    off = Server(tmp / "off.sqlite3", workers=2, extra=["--journal-size", "0"]).start()
    try:
        member = requests.get(on.url("/wp-json/mp/v1/members?per_page=1"), headers={"MEMBERPRESS-API-KEY": API_KEY},
                              timeout=10).json()[0]["id"]
        path = f"/wp-json/mp/v1/members/{member}"
        rates = {"on": [], "off": []}
        script = lua(Workload("get_member", "GET one member", "memberpress", "GET", path, {}), {"MEMBERPRESS-API-KEY": API_KEY}, tmp)
        for _ in range(args.rounds):
            for name, server in (("on", on), ("off", off)):
                result = wrk(server.url(path), script, args.seconds)
                assert result["non2xx"] == 0, result
                rates[name].append(result["rps"])
        times = sorted(site_times(on, args.sites))
    finally:
        on.stop()
        off.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    p95 = times[int(len(times) * 0.95) - 1]
    journal_on, journal_off = statistics.median(rates["on"]), statistics.median(rates["off"])
    print(f"site creation ({args.sites} sites, one after another): median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms")
    print(f"GET one member, --workers 2, {args.rounds} rounds of {args.seconds} s each:")
    print(f"  journal on  {journal_on:8.0f} req/s  (rounds: {', '.join(f'{r:.0f}' for r in rates['on'])})")
    print(f"  journal off {journal_off:8.0f} req/s  (rounds: {', '.join(f'{r:.0f}' for r in rates['off'])})")
    print(f"  the journal costs {100 * (1 - journal_on / journal_off):.1f}% of GET throughput")
    return 0


if __name__ == "__main__":
    sys.exit(main())
