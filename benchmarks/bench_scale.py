"""Scale-out figures: throughput and p99 latency of the mock as a team would run it.

Three set-ups, each `membermock serve` with the same workers per instance:
  one instance on SQLite (the embedded default), one instance on PostgreSQL, and two instances on
  one PostgreSQL database behind haproxy (round robin, loopback);
and two requests: GET one MemberPress member, and POST a MemberPress transaction (a write with
its own transaction, version bump and sequence id).

Load comes from wrk (when installed: `make bench-scale` installs it) with a fixed number of
connections, else from a Python load generator with as many threads. PostgreSQL and haproxy are
Debian's, started here on free loopback ports (tests/postgres.py, tests/balancer.py), PostgreSQL
with the test settings (fsync off): the figures compare the mock's own work, not disks.

    python benchmarks/bench_scale.py [--duration 10] [--connections 16] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import balancer, postgres  # noqa: E402
from tests.server.harness import API_KEY, Server  # noqa: E402

WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["MEMBERPRESS-API-KEY"] = "{key}"
wrk.headers["Content-Type"] = "application/json"
{body}
function done(summary, latency, requests)
  io.write(string.format("MM %d %d %d %f %f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(99) / 1000))
end
"""


def wrk(url: str, method: str, body: str | None, seconds: float, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(method=method, key=API_KEY,
                                       body=f"wrk.body = {json.dumps(body)}" if body else ""))
    import subprocess
    done = subprocess.run(["wrk", "-t", str(min(4, connections)), "-c", str(connections), "-d", f"{seconds:g}s",
                           "-s", script.name, url], capture_output=True, text=True, timeout=seconds + 60)
    Path(script.name).unlink()
    found = re.search(r"^MM (.+)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk said: {done.stdout} {done.stderr}")
    requests_, status_errors, socket_errors, duration, p99 = found.group(1).split()
    ok = int(requests_) - int(status_errors)
    if int(status_errors) + int(socket_errors):
        print(f"  {method} {url}: {status_errors} non-2xx answers, {socket_errors} socket errors", flush=True)
    return {"rps": ok / float(duration), "p99_ms": float(p99), "errors": int(status_errors) + int(socket_errors)}


def python_load(url: str, method: str, body: str | None, seconds: float, connections: int) -> dict:
    latencies, errors, lock = [], [0], threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"MEMBERPRESS-API-KEY": API_KEY, "Content-Type": "application/json"}

    def run():
        http = requests.Session()
        mine, bad = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ok = http.request(method, url, data=body, headers=headers, timeout=30).status_code < 300
            except requests.RequestException:
                ok = False
            mine.append(time.perf_counter() - started)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000 if len(latencies) > 1 else float("nan")
    return {"rps": (len(latencies) - errors[0]) / elapsed, "p99_ms": p99, "errors": errors[0]}


def measure(base: str, seconds: float, connections: int, load) -> dict:
    http = requests.Session()
    headers = {"MEMBERPRESS-API-KEY": API_KEY}
    member = http.get(f"{base}/wp-json/mp/v1/members", params={"per_page": 1}, headers=headers).json()[0]["id"]
    plan = http.get(f"{base}/wp-json/mp/v1/memberships", params={"per_page": 1}, headers=headers).json()[0]["id"]
    body = json.dumps({"member": member, "membership": plan, "gateway": "manual", "status": "complete",
                       "amount": "9.00"})
    return {
        "GET one member": load(f"{base}/wp-json/mp/v1/members/{member}", "GET", None, seconds, connections),
        "POST a transaction": load(f"{base}/wp-json/mp/v1/transactions", "POST", body, seconds, connections),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    args = parser.parse_args()
    load = wrk if shutil.which("wrk") else python_load
    print(f"load: {'wrk' if load is wrk else 'Python threads'}, {args.connections} connections, "
          f"{args.duration:g} s per cell, {args.workers} workers per instance", flush=True)
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="membermock-bench-scale-"))
    server = postgres.start()
    try:
        with Server(folder / "site.sqlite3", workers=args.workers).start() as one:
            rows.append(("1 instance, SQLite", measure(one.base, args.duration, args.connections, load)))
        db = server.database()
        with Server(db, workers=args.workers).start() as one:
            rows.append(("1 instance, PostgreSQL", measure(one.base, args.duration, args.connections, load)))
        db = server.database()
        with Server(db, workers=args.workers).start() as a, Server(db, workers=args.workers).start() as b, \
                balancer.Balancer({"a": f"127.0.0.1:{a.port}", "b": f"127.0.0.1:{b.port}"},
                                  check="inter 2s fall 5 rise 1") as lb:
            rows.append(("2 instances, PostgreSQL, haproxy", measure(lb.base, args.duration, args.connections, load)))
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print("\n| set-up | GET one member: req/s | p99 ms | POST a transaction: req/s | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, cells in rows:
        get, post = cells["GET one member"], cells["POST a transaction"]
        print(f"| {name} | {get['rps']:.0f} | {get['p99_ms']:.1f} | {post['rps']:.0f} | {post['p99_ms']:.1f} | "
              f"{get['errors'] + post['errors']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
