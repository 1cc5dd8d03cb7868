"""`membermock serve` starts a real HTTP server that answers on its port."""
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

EXE = shutil.which("membermock") or str(Path(sys.executable).with_name("membermock"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_its_port():
    port = free_port()
    proc = subprocess.Popen([EXE, "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__mock__/health", timeout=2) as r:
                    assert r.status == 200
                    assert json.load(r)["status"] == "ok"
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not answer within 30 s"
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
