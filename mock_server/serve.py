"""Run the mock: gunicorn workers sharing one SQLite file, seeded once before they start."""
from __future__ import annotations

import sys

from gunicorn.app.base import BaseApplication

from mock_server.config import Config


class _Gunicorn(BaseApplication):
    def __init__(self, config: Config, options: dict, on_exit):
        self.mock_config = config
        self.options = {**options, "on_exit": lambda _arbiter: on_exit()}
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from mock_server.app import create_app
        return create_app(self.mock_config)


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
    from mock_server.app import prepare
    if config.db == ":memory:" and workers > 1:
        print("membermock serve: --db :memory: cannot be shared by several workers; use a file", file=sys.stderr)
        return 2
    prepare(config)  # create and seed the database once, before any worker opens it
    deliverer = _start_deliverer(config)
    print(banner(config, host, port, workers), flush=True)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "graceful_timeout": 5,
        "timeout": 60,
        "preload_app": config.db == ":memory:",
    }
    try:
        _Gunicorn(config, options, on_exit=lambda: _stop(deliverer)).run()
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
