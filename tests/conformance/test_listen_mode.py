"""`membermock conformance --webhook-listen`: the suite listens while someone else drives the site,
stops on Ctrl-C, and reports per event what arrived (pass), what broke a rule (fail) and what
never came (skipped)."""
from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time

from mock_server.config import DEFAULT_MP_WEBHOOK_KEY
from tests.conformance.test_catches_breaks import CREDENTIALS
from tests.server.harness import EXE, free_port, running


def _line_with(proc, text: str, timeout: float = 120) -> str:
    """Read the process's output (in a thread, so the deadline holds) up to a line with ``text``."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in iter(proc.stdout.readline, "")], daemon=True).start()
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            proc.reader = lines
            return line
    raise AssertionError(f"no line with {text!r}: {''.join(seen)[-2000:]}")


def _drain(lines: queue.Queue) -> str:
    out = []
    while True:
        try:
            out.append(lines.get(timeout=1))
        except queue.Empty:
            return "".join(out)


def _delivered(server, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = server.http.get(server.url("/__mock__/webhooks/deliveries"), params={"status": "delivered"}).json()
        if len(done) >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {n} deliveries delivered")


def test_listen_reports_what_the_user_run_sent(tmp_path):
    port = free_port()
    report = tmp_path / "report.md"
    with running(tmp_path / "site.sqlite3") as server:
        proc = subprocess.Popen([EXE, "conformance", "--webhook-listen", f"127.0.0.1:{port}", "--base-url", server.base,
                                 *CREDENTIALS, "--mp-webhook-key", DEFAULT_MP_WEBHOOK_KEY, "--report", str(report)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
        try:
            assert f"http://127.0.0.1:{port}/" in _line_with(proc, "listening for MemberPress webhooks")
            # the user's run: a subscription to the listener, a signup over REST, a login from the site
            assert server.mp("POST", "/webhooks/subscribe", json={"url": f"http://127.0.0.1:{port}/", "event": "all"}).ok
            assert server.mp("POST", "/members", json={"email": "heard@example.com", "username": "heard"}).ok
            assert server.http.post(server.url("/__mock__/events/login")).status_code == 202
            _delivered(server, 2)
            proc.send_signal(signal.SIGINT)   # "until interrupted"
            proc.wait(timeout=60)
            out = _drain(proc.reader)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, out[-3000:]
    text = report.read_text(encoding="utf-8")
    assert "| member-added | pass | the user's run |" in text, text
    assert "| login | pass | the user's run |" in text
    assert "| transaction-refunded | skipped | skipped | not delivered to" in text
