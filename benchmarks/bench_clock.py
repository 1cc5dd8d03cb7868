"""How long advancing a site's clock takes: a freshly seeded site, one year, with a webhook
subscriber (so every event's payload is built and queued).

Run: .venv/bin/python benchmarks/bench_clock.py [--repeat 3] [--span P1Y] [--steps 1]
In process (the Flask app on an in-memory site, as one worker would run it), timing only the
POST /__mock__/clock; `--steps 12 --span P1M` moves a year in monthly steps instead.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mock_server.app import create_app  # noqa: E402
from mock_server.config import Config  # noqa: E402


def one_run(span: str, steps: int) -> tuple[float, dict, int]:
    app = create_app(Config(db=":memory:", now="2027-01-01T00:00:00Z", frozen=True))
    client = app.test_client()
    client.post("/wp-json/mp/v1/webhooks/subscribe", headers={"MEMBERPRESS-API-KEY": app.extensions["membermock"].config.mp_api_key},
                json={"url": "http://127.0.0.1:9/hook", "event": "all"})
    ran: dict = {}
    started = time.perf_counter()
    for _ in range(steps):
        answer = client.post("/__mock__/clock", json={"advance": span})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        for kind, count in answer.get_json()["ran"].items():
            ran[kind] = ran.get(kind, 0) + count
    elapsed = time.perf_counter() - started
    queued = app.extensions["membermock"].store.db.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0]
    return elapsed, ran, queued


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--span", default="P1Y")
    parser.add_argument("--steps", type=int, default=1)
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        elapsed, ran, queued = one_run(args.span, args.steps)
        times.append(elapsed)
    print(f"advance a freshly seeded site by {args.steps} x {args.span}: median {statistics.median(times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"  ran {sum(ran.values())} occurrences, queued {queued} webhook deliveries:")
    for kind, count in sorted(ran.items()):
        print(f"    {kind:50} {count:5d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
