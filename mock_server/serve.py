"""Run the mock: gunicorn workers sharing one SQLite file, seeded once before they start."""
from __future__ import annotations

import os
import sys

from gunicorn.app.base import BaseApplication

from mock_server.config import Config

# gunicorn's threaded workers keep client connections open between requests (the sync workers close
# each one), which multiplied GET throughput 4-5x under `make bench`; they still hand the socket to
# the app, which the drop and reset faults need. The store keeps one SQLite connection per thread.
WORKER_SETTINGS = {"worker_class": "gthread", "threads": 4, "keepalive": 5}


class _Gunicorn(BaseApplication):
    def __init__(self, config: Config, options: dict, on_exit, set_up_args=None):
        self.mock_config = config
        self.set_up_args = set_up_args
        self.options = {**options, "on_exit": lambda _arbiter: on_exit()}
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from mock_server.app import create_app
        app = create_app(self.mock_config)
        if self.set_up_args is not None:   # an in-memory site exists only in this preloaded app
            problem = set_up(app.extensions["membermock.sites"], *self.set_up_args)
            if problem:
                print(f"membermock serve: {problem}", file=sys.stderr)
                sys.exit(2)
        return app


def _dates_from_the_app() -> None:
    """gunicorn drops an app's Date header and writes its own; the mock's is the site's clock's,
    so gunicorn lets it through and leaves its own out."""
    from gunicorn import util
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "membermock", False):
        return
    util.hop_headers.discard("date")
    plain = wsgi.Response.default_headers

    def default_headers(self):
        headers = plain(self)
        if any(name.lower() == "date" for name, _ in self.headers):
            headers = [h for h in headers if not h.startswith("Date: ")]
        return headers
    default_headers.membermock = True
    wsgi.Response.default_headers = default_headers


def banner(config: Config, host: str, port: int, workers: int) -> str:
    root = f"http://{host}:{port}"
    return "\n".join([
        f"membermock serving {root}  (db {config.db}, seed {config.seed}, {workers} worker(s))",
        f"  MemberPress              {root}/wp-json/mp/v1"
        + ("  (with the optional routes)" if config.mp_optional_routes else ""),
        f"      header  MEMBERPRESS-API-KEY: {config.mp_api_key}",
        f"  Paid Memberships Pro     {root}/wp-json/pmpro/v1",
        f"  WooCommerce Memberships  {root}/wp-json/wp-abilities/v1",
        f"      basic auth  admin:{config.admin_app_password}   (other users: {root}/__mock__/users)",
        f"  mock control             {root}/__mock__/health, /reset, /state, /requests, /faults, /sites, /scenario, /clock",
        *([f"  dashboard                {root}/__mock__/"] if config.dashboard else []),
        *(["      beyond loopback: control routes and dashboard need the admin's basic auth (--open-control: not)"]
          if config.control_auth else []),
        f"  webhooks                 header MEMBERPRESS-WEBHOOK-KEY: {config.mp_webhook_key}; "
        f"deliveries at {root}/__mock__/webhooks/deliveries",
        *(f"      subscribed  {url}  ({', '.join(events)})" for url, events in config.webhooks),
        f"try: curl -H 'MEMBERPRESS-API-KEY: {config.mp_api_key}' {root}/wp-json/mp/v1/members",
    ])


def serve(config: Config, host: str, port: int, workers: int, scenario: str | None = None,
          faults: tuple = ()) -> int:
    if config.db == ":memory:" and workers > 1:
        print("membermock serve: --db :memory: cannot be shared by several workers; use a file", file=sys.stderr)
        return 2
    if config.db != ":memory:":   # once, before any worker opens the database
        from mock_server.app import prepare
        from mock_server.sites import Sites
        problem = set_up(Sites(config, prepare), scenario, faults)
        if problem:
            print(f"membermock serve: {problem}", file=sys.stderr)
            return 2
    deliverer = _start_deliverer(config)
    _dates_from_the_app()
    print(banner(config, host, port, workers), flush=True)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        **WORKER_SETTINGS,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "graceful_timeout": 5,
        "timeout": 60,
        "preload_app": config.db == ":memory:",
        "post_fork": _forget_parents_children,
    }
    try:
        memory = config.db == ":memory:"
        _Gunicorn(config, options, on_exit=lambda: _stop(deliverer),
                  set_up_args=(scenario, faults) if memory else None).run()
    finally:
        _stop(deliverer)
    return 0


def set_up(sites, scenario: str | None, faults: tuple) -> str | None:
    """Load the scenario and set the faults on the default site; a problem is returned, not raised.

    Faults are a run's settings: those of an earlier run on the same database are dropped.
    Site templates are rebuilt by this code version on first use."""
    from pathlib import Path

    from mock_server.faults import FaultError
    from mock_server.scenarios import ScenarioError, load

    from mock_server.app import set_clock

    sites.clear_templates()
    site = sites.default
    set_clock(site, site.config)
    if scenario:
        try:
            load(site, Path(scenario).read_bytes(), scenario)
        except OSError as exc:
            return f"cannot read the scenario: {exc}"
        except ScenarioError as exc:
            return "the scenario is refused:\n" + "\n".join(f"  {exc.source}: {p}: {m} [{r}]" for p, r, m in exc.problems)
    site.faults.remove()
    for spec in faults:
        try:
            site.faults.add(spec)
        except FaultError as exc:
            return f"--fault {spec}: {exc}"
    return None


def _start_deliverer(config: Config):
    """Webhooks go out from one process of their own, so a slow receiver never holds a worker."""
    import multiprocessing

    from mock_server.webhooks.deliverer import run_forever

    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=run_forever, args=(config, ready), name="membermock-webhooks", daemon=False)
    process.start()
    ready.wait(timeout=30)   # the first events of a run are not late because the deliverer was still starting
    return process


def _forget_parents_children(_server, _worker) -> None:
    """A worker is forked from the process that started the deliverer; at exit, multiprocessing
    would try to join that sibling. It is the parent's to stop."""
    import multiprocessing.process

    multiprocessing.process._children.clear()


def _stop(process) -> None:
    if process._parent_pid != os.getpid():
        return   # a gunicorn worker leaving: the deliverer is its parent's to stop
    if process.is_alive():
        process.terminate()
        process.join(timeout=10)
