"""Run the mock: granian worker processes sharing one SQLite file, seeded once before they start.

Granian (a Rust HTTP server running the WSGI app) was chosen over gunicorn by measurement
(``make bench``, ``docs/performance.md``): with the same two workers it served the mock's GET of
one member about four times as fast, and every other workload faster too. Each worker runs one
request at a time (one blocking thread), as gunicorn's sync workers did, so handlers, the store
and the GET cache stay single-threaded per process.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys

from mock_server.config import Config


def banner(config: Config, host: str, port: int, workers: int) -> str:
    root = f"http://{host}:{port}"
    return "\n".join([
        f"membermock serving {root}  (db {config.db}, seed {config.seed}, {workers} worker(s))",
        f"  MemberPress              {root}/wp-json/mp/v1",
        f"      header  MEMBERPRESS-API-KEY: {config.mp_api_key}",
        f"  Paid Memberships Pro     {root}/wp-json/pmpro/v1",
        f"  WooCommerce Memberships  {root}/wp-json/wp-abilities/v1",
        f"      basic auth  admin:{config.admin_app_password}   (other users: {root}/__mock__/users)",
        f"  mock control             {root}/__mock__/health, /reset, /reseed?seed=N, /state",
        f"  webhooks                 header MEMBERPRESS-WEBHOOK-KEY: {config.mp_webhook_key}; "
        f"deliveries at {root}/__mock__/webhooks/deliveries",
        *(f"      subscribed  {url}  ({', '.join(events)})" for url, events in config.webhooks),
        f"try: curl -H 'MEMBERPRESS-API-KEY: {config.mp_api_key}' {root}/wp-json/mp/v1/members",
    ])


def serve(config: Config, host: str, port: int, workers: int) -> int:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    from mock_server import wsgi
    from mock_server.app import prepare

    if config.db == ":memory:" and workers > 1:
        print("membermock serve: --db :memory: cannot be shared by several workers; use a file", file=sys.stderr)
        return 2
    prepare(config)  # create and seed the database once, before any worker opens it
    os.environ[wsgi.ENV] = json.dumps(dataclasses.asdict(config))  # what each worker builds its app from
    deliverer = _start_deliverer(config)
    print(banner(config, host, port, workers), flush=True)
    server = Granian("mock_server.wsgi:app", factory=True, interface=Interfaces.WSGI, address=host, port=port,
                     workers=workers, blocking_threads=1, websockets=False,
                     log_enabled=True, log_level=LogLevels.warning, workers_kill_timeout=5)
    try:
        server.serve()
    finally:
        _stop(deliverer)
    return 0


def _start_deliverer(config: Config):
    """Webhooks go out from one process of their own, so a slow receiver never holds a worker."""
    import multiprocessing

    from mock_server.webhooks.deliverer import run_forever

    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=run_forever, args=(config, ready), name="membermock-webhooks", daemon=False)
    process.start()
    ready.wait(timeout=30)
    return process


def _stop(process) -> None:
    if process.is_alive():
        process.terminate()
        process.join(timeout=10)
