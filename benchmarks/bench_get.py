"""Stateful GET throughput of the mock against a minimal Flask app serving the same object.

Run: .venv/bin/python benchmarks/bench_get.py [--seconds 10] [--workers 2]
Both servers run under gunicorn with the same worker count; wrk (Debian package `wrk`) loads
them from this machine, so the figures compare the two, not the machine's ceiling. The member
is the busiest of the first hundred (most transactions and memberships to derive). The mock
derives it once per change of the site and answers repeats from its GET cache
(mock_server/cache.py), which is what this measures.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.server.harness import API_KEY, Server, free_port  # noqa: E402


def wrk(url: str, seconds: int, headers: dict) -> dict:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0}


def wait_up(url: str, headers=None, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, headers=headers, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp())
    mock = Server(tmp / "bench.sqlite3", workers=args.workers).start()
    minimal = None
    try:
        headers = {"MEMBERPRESS-API-KEY": API_KEY}
        members = requests.get(mock.url("/wp-json/mp/v1/members"), params={"per_page": 100}, headers=headers).json()
        member = max(members, key=lambda m: len(m["recent_transactions"]) + len(m["active_memberships"]))
        target = mock.url(f"/wp-json/mp/v1/members/{member['id']}")
        body = requests.get(target, headers=headers).content
        (tmp / "body.json").write_bytes(body)

        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        minimal = subprocess.Popen(
            [str(gunicorn), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             "minimal_app:app"], cwd=Path(__file__).parent,
            env={**os.environ, "MINIMAL_BODY_FILE": str(tmp / "body.json")})
        wait_up(f"http://127.0.0.1:{port}/object")

        print(f"object: GET /wp-json/mp/v1/members/{member['id']} ({len(body)} bytes), "
              f"{args.workers} gunicorn workers each, wrk -t2 -c16 -d{args.seconds}s")
        base = wrk(f"http://127.0.0.1:{port}/object", args.seconds, {})
        ours = wrk(target, args.seconds, headers)
        for name, r in (("minimal Flask", base), ("membermock", ours)):
            print(f"  {name:14s} {r['rps']:9.0f} req/s   p50 {r['p50']:>8s}   p99 {r['p99']:>8s}   non-2xx {r['non2xx']}")
        print(f"  membermock / minimal Flask = {ours['rps'] / base['rps']:.0%} (goal: at least 80%)")
    finally:
        mock.stop()
        if minimal:
            minimal.terminate()
            minimal.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
