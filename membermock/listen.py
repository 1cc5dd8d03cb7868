"""A webhook receiver for integrators and tests: prints, checks and optionally records deliveries.

Each POST is parsed, validated against ``memberpress.event`` (which dispatches on the event name)
and printed with the rule it breaks, if any. ``--record`` appends one JSON line per delivery;
``--status`` and ``--delay`` make the receiver fail or lag on purpose, to watch retries.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from membermock import contracts

CONTRACT = "memberpress.event"


class _Receiver(BaseHTTPRequestHandler):
    server_version = "membermock-listen"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        opts = self.server.options
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        received = time.time()
        try:
            body = json.loads(raw)
            found = [str(p) for p in contracts.problems(CONTRACT, body)]
        except ValueError as exc:
            body, found = raw.decode("utf-8", "replace"), [f"$: not JSON ({exc})"]
        if opts.key and self.headers.get("MEMBERPRESS-WEBHOOK-KEY") != opts.key:
            found.append("headers: MEMBERPRESS-WEBHOOK-KEY does not match --key")
        event = body.get("event") if isinstance(body, dict) else None
        entry = {"received_at": received, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                 "event": event, "valid": not found, "problems": found, "body": body}
        with self.server.lock:
            verdict = "valid" if not found else f"INVALID ({len(found)} problem(s))"
            print(f"{time.strftime('%H:%M:%S', time.localtime(received))} {event or '?'} "
                  f"delivery={self.headers.get('X-Membermock-Delivery-Id', '-')} "
                  f"attempt={self.headers.get('X-Membermock-Attempt', '-')}: {verdict}", flush=True)
            for problem in found:
                print(f"    {problem}", flush=True)
            if opts.record:
                with open(opts.record, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if opts.delay:
            time.sleep(opts.delay)
        payload = json.dumps({"received": True, "valid": not found}).encode()
        self.send_response(opts.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # the summary line above says it all
        pass


def listen(options) -> int:
    server = ThreadingHTTPServer((options.host, options.port), _Receiver)
    server.daemon_threads = True
    server.options = options
    server.lock = threading.Lock()
    host, port = server.server_address[:2]
    print(f"listening for MemberPress webhooks on http://{host}:{port}/ "
          f"(checked against {CONTRACT}; answering {options.status})", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def add_parser(sub) -> None:
    w = sub.add_parser("webhooks", help="webhook tools")
    wsub = w.add_subparsers(dest="webhooks_command", required=True)
    p = wsub.add_parser("listen", help="receive webhooks, print them and check each against its contract")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9090)
    p.add_argument("--record", metavar="FILE", help="append every delivery as a JSON line")
    p.add_argument("--status", type=int, default=200, help="HTTP status to answer (non-2xx makes the sender retry)")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
    p.add_argument("--key", help="expected MEMBERPRESS-WEBHOOK-KEY; a mismatch is reported as a problem")
    p.set_defaults(run=lambda args: listen(args))

