"""Webhook delivery latency: from the commit that queues an event to its arrival at a local receiver.

Run: .venv/bin/python benchmarks/bench_webhooks.py [--events 1000] [--workers 2] [--burst]
The mock runs as `membermock serve` (its delivery process beside its workers); a client
creates members over REST, each queueing one member-added event for a receiver on this machine
that answers 200 at once. Latency is receipt time minus the outbox row's creation time, so it
covers the delivery process noticing the row, the POST and the receiver reading it. With
--burst the events are queued by parallel clients as fast as the API takes them, so they also
wait in their URL's ordered queue. The receiver runs in a process of its own (keep-alive), as an
integrator's would; in the clients' process it waited for their interpreter lock.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.server.harness import Server  # noqa: E402


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a web server in front of a receiver would

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        arrived = time.time()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        with self.server.lock:
            self.server.record.write(f"{self.headers['X-Membermock-Delivery-Id']} {arrived}\n")
            self.server.record.flush()

    def log_message(self, *args):
        pass


def receive(port_out, record_path: str) -> None:
    """The receiver process: answers 200 at once and appends "delivery-id arrival-time" lines."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.record = open(record_path, "a", encoding="utf-8")
    port_out.put(server.server_port)
    server.serve_forever()


def arrivals(record_path: Path) -> dict[str, float]:
    if not record_path.exists():
        return {}
    pairs = (line.split() for line in record_path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {delivery: float(at) for delivery, at in pairs}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument("--timeline", action="store_true", help="print every 50th event's times")
    args = parser.parse_args()

    import multiprocessing

    tmp = Path(tempfile.mkdtemp())
    record = tmp / "arrivals.txt"
    context = multiprocessing.get_context("spawn")
    port_out = context.Queue()
    receiver = context.Process(target=receive, args=(port_out, str(record)), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{port_out.get(timeout=30)}/hook"

    server = Server(tmp / "bench.sqlite3", workers=args.workers, extra=["--webhook", f"{url}=member-added"]).start()
    try:
        def create(_):
            tag = uuid.uuid4().hex[:12]
            r = server.mp("POST", "/members", data={"email": f"b{tag}@example.org", "username": f"b{tag}"})
            r.raise_for_status()

        started = time.time()
        if args.burst:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(create, range(args.events)))
        else:
            for i in range(args.events):
                create(i)
        queued_in = time.time() - started
        deadline = time.time() + 120
        while len(arrivals(record)) < args.events and time.time() < deadline:
            time.sleep(0.05)
        rows = requests.get(server.url("/__mock__/webhooks/deliveries"), timeout=60).json()
    finally:
        server.stop()
        receiver.terminate()
    got = arrivals(record)

    latencies = [(got[r["delivery_id"]] - r["created_at"]) * 1000
                 for r in rows if r["delivery_id"] in got]
    attempts = [a["latency_ms"] for r in rows for a in r["attempt_log"]]
    mode = "burst, 8 parallel clients" if args.burst else "one client, sequential"
    print(f"{args.events} member-added events ({mode}), {args.workers} workers; "
          f"queued in {queued_in:.1f}s, delivered {len(latencies)}/{args.events}")
    print(f"  commit -> receipt   p50 {percentile(latencies, 50):7.1f} ms   p99 {percentile(latencies, 99):7.1f} ms"
          f"   max {max(latencies):7.1f} ms   mean {statistics.mean(latencies):6.1f} ms")
    print(f"  POST round trip     p50 {percentile(attempts, 50):7.1f} ms   p99 {percentile(attempts, 99):7.1f} ms")
    if args.timeline:
        slowest = sorted(rows, key=lambda r: got.get(r["delivery_id"], 0) - r["created_at"])[-5:]
        for r in slowest:
            sent = r["attempt_log"][-1]["at"] if r["attempt_log"] else float("nan")
            print(f"    slow #{r['id']:5d} created +{r['created_at'] - started:6.3f}s "
                  f"arrived +{got[r['delivery_id']] - started:6.3f}s "
                  f"answered +{sent - started:6.3f}s")

        for r in rows[::50]:
            print(f"    #{r['id']:5d} created +{r['created_at'] - started:6.2f}s delivered +{r['delivered_at'] - started:6.2f}s")
    return 0 if len(latencies) == args.events else 1


if __name__ == "__main__":
    sys.exit(main())
