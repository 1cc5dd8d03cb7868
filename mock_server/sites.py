"""Isolated sites: several mocked WordPress sites behind one server, one per name.

The default site answers at ``/``; a site made by ``POST /__mock__/sites`` answers under
``/sites/{name}/``, with its own store (so its own data, webhooks and faults), journal and
credentials. ``SitesLayer`` strips the prefix and hands the site on in the WSGI environ, so the
handlers and control routes below it never know there is more than one.

A new site is a copy of a template database seeded once per seed, not a fresh seeding: copying
a file takes milliseconds, seeding takes a second, and tests want a site each. The registry is a
table in the default site's database, so every worker sees a site the moment another made it.

On PostgreSQL a site is a schema of the one database and a template is a schema too, built
under a temporary name and renamed into place (as the file is moved); a new site copies the
template's tables, and every instance behind the balancer sees it through the same registry.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import secrets
import shutil
import threading
import time
from pathlib import Path

from flask import request

from mock_server import clock, pg, wp
from mock_server.config import Config
from mock_server.site import Site
from mock_server.store import Store, open_store

ENVIRON_KEY = "membermock.site"
PREFIX = "/sites/"
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")

DDL = """
CREATE TABLE IF NOT EXISTS sites (
    name TEXT PRIMARY KEY,
    seed INTEGER NOT NULL,
    created_at REAL NOT NULL,
    mp_api_key TEXT NOT NULL,
    admin_app_password TEXT NOT NULL,
    mp_webhook_key TEXT NOT NULL
);
"""


def current() -> Site:
    """The site this request is for (the default one outside a ``/sites/{name}`` prefix)."""
    return request.environ[ENVIRON_KEY]


class SiteError(ValueError):
    """A site request that cannot be done: (code, message, HTTP status)."""

    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Sites:
    def __init__(self, config: Config, prepare):
        """``prepare(config) -> Site`` opens (and on first use seeds) one site's store."""
        self.config = config
        self.prepare = prepare
        self.default = prepare(config)
        self.default.store.db.executescript(DDL)
        self.memory = config.db == ":memory:"
        self.pg = pg.is_pg(config.db)
        self.folder = None if self.memory or self.pg else Path(config.db).with_suffix(".sites")
        self._open: dict[str, Site] = {}
        self._templates: dict[int, object] = {}
        self._lock = threading.Lock()

    # -- lookup ------------------------------------------------------------------------------

    def get(self, name: str) -> Site | None:
        """The open site of that name, if the registry (shared by every worker) still has it."""
        row = self._row(name)
        site = self._open.get(name)
        if row is None:
            if site is not None:
                self._forget(name)
            return None
        if site is None or site.created_at != row["created_at"]:
            with self._lock:
                site = self._open.get(name)
                if site is None or site.created_at != row["created_at"]:
                    site = self._open[name] = self._attach(row)
        return site

    def names(self) -> list[str]:
        return [name for (name,) in self.default.store.db.execute("SELECT name FROM sites ORDER BY created_at")]

    def list(self) -> list[Site]:
        return [site for site in map(self.get, self.names()) if site is not None]

    def describe(self, site: Site, base_url: str = "") -> dict:
        url = f"{base_url}{PREFIX}{site.name}" if site.name else base_url
        return {"name": site.name, "url": url, "seed": site.seed,
                "mp_api_key": site.config.mp_api_key,
                "admin": {"login": "admin", "application_password": site.config.admin_app_password},
                "mp_webhook_key": site.config.mp_webhook_key}

    # -- create and delete -------------------------------------------------------------------

    def create(self, name: str | None = None, seed: int | None = None, scenario=None) -> Site:
        """A fresh site: a copy of the seed's template with credentials of its own, then the
        scenario (if any) loaded over it. Nothing is registered unless all of it worked."""
        name = "site-" + secrets.token_hex(4) if name is None else name
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise SiteError("mock_invalid_site_name",
                            "A site name is 1 to 63 lowercase letters, digits, '-' or '_', starting with a letter "
                            "or digit.", 400)
        seed = self.config.seed if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise SiteError("mock_invalid_seed", "seed must be an integer.", 400)
        if self._row(name) is not None:
            raise SiteError("mock_site_exists", f"A site named {name!r} already exists.", 409)
        config = self._config_for(name, seed, mp_api_key=secrets.token_urlsafe(18),
                                  admin_app_password=_app_password(), mp_webhook_key=secrets.token_urlsafe(18))
        store = self._copy_template(seed, name)
        try:
            site = Site(config, store, name=name)
            with store.transaction() as db:
                admin = site.user_by("user_login", "admin")
                if admin:
                    admin["app_password"] = config.admin_app_password
                    store.put(db, "user", admin)
            if scenario is not None:
                from mock_server import scenarios
                scenarios.load(site, scenario)
        except BaseException:
            self._discard(name, store)
            raise
        created_at = time.time()
        with self.default.store.transaction() as db:
            if db.execute("SELECT 1 FROM sites WHERE name = ?", (name,)).fetchone():
                self._discard(name, store)
                raise SiteError("mock_site_exists", f"A site named {name!r} already exists.", 409)
            db.execute("INSERT INTO sites (name, seed, created_at, mp_api_key, admin_app_password, mp_webhook_key)"
                       " VALUES (?, ?, ?, ?, ?, ?)", (name, seed, created_at, config.mp_api_key,
                                                       config.admin_app_password, config.mp_webhook_key))
        site.created_at = created_at
        with self._lock:
            self._open[name] = site
        return site

    def delete(self, name: str) -> bool:
        with self.default.store.transaction() as db:
            gone = db.execute("DELETE FROM sites WHERE name = ?", (name,)).rowcount > 0
        if gone:
            site = self._forget(name)
            if self.pg:
                pg.drop_schema(self.path(name))
            elif not self.memory:
                for path in self._files(name):
                    path.unlink(missing_ok=True)
            elif site is not None:
                site.store.close()
        return gone

    # -- files -------------------------------------------------------------------------------

    def path(self, name: str) -> Path | str:
        """Where the site lives: its file, or on PostgreSQL its schema (``url#site_name``)."""
        if self.pg:
            schema = "site_" + name if len(name) <= 58 else f"site_{name[:40]}_{hashlib.sha1(name.encode()).hexdigest()[:12]}"
            return pg.at(self.config.db, schema)
        return self.folder / f"{name}.sqlite3"

    def _files(self, name: str) -> list[Path]:
        base = self.path(name)
        return [base, Path(f"{base}-wal"), Path(f"{base}-shm"), *self.folder.glob(f"{name}.*.sqlite3*")]

    def clear_templates(self) -> None:
        """Templates hold seeded data of this code's version; a new server start builds them again."""
        if self.pg:
            conn = pg.connection(pg.at(self.config.db, "public"))
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('membermock templates'))")
                for schema in pg.schemas(self.config.db, "template_"):
                    pg.drop_schema(pg.at(self.config.db, schema))
            return
        if self.folder and self.folder.exists():
            for path in self.folder.glob(".template-*"):
                path.unlink(missing_ok=True)

    def _template(self, seed: int):
        """The seeded database new sites of ``seed`` copy: a file (built once, by whichever
        worker needs it first, and moved into place whole) or, in memory, an open store."""
        if self.memory:
            template = self._templates.get(seed)
            if template is None:
                template = self._templates[seed] = self.prepare(self._config_for(None, seed)).store
            return template
        if self.pg:
            return self._pg_template(seed)
        path = self.folder / f".template-{seed}.sqlite3"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            stem = self.folder / f".template-{seed}.{os.getpid()}.{secrets.token_hex(4)}"
            store = self.prepare(self._config_for(None, seed, db=f"{stem}.seeding")).store
            store.snapshot(f"{stem}.snapshot")
            store.close()
            os.replace(f"{stem}.snapshot", path)
            for leftover in self.folder.glob(f"{stem.name}.seeding*"):
                leftover.unlink(missing_ok=True)
        return path

    def _pg_template(self, seed: int) -> str:
        schema = f"template_{seed}"
        if schema in pg.schemas(self.config.db, schema):
            return schema
        building = f"{schema}_{os.getpid()}_{secrets.token_hex(4)}"
        self.prepare(self._config_for(None, seed, db=pg.at(self.config.db, building)))
        conn = pg.connection(pg.at(self.config.db, "public"))
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('membermock templates'))")
            if schema not in pg.schemas(self.config.db, schema):
                conn.execute(f'ALTER SCHEMA "{building}" RENAME TO "{schema}"')
        pg.drop_schema(pg.at(self.config.db, building))
        return schema

    def _copy_template(self, seed: int, name: str) -> Store:
        template = self._template(seed)
        if self.memory:
            return template.copy()
        if self.pg:
            pg.drop_schema(self.path(name))
            store = open_store(self.path(name))
            store.copy_from(template)
            return store
        target = self.path(name)
        for path in self._files(name):
            path.unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return Store(target)

    def _discard(self, name: str, store: Store) -> None:
        store.close()
        if self.pg:
            pg.drop_schema(self.path(name))
        elif not self.memory:
            for path in self._files(name):
                path.unlink(missing_ok=True)

    # -- the registry ------------------------------------------------------------------------

    def _row(self, name: str) -> dict | None:
        row = self.default.store.db.execute(
            "SELECT name, seed, created_at, mp_api_key, admin_app_password, mp_webhook_key FROM sites WHERE name = ?",
            (name,)).fetchone()
        keys = ("name", "seed", "created_at", "mp_api_key", "admin_app_password", "mp_webhook_key")
        return dict(zip(keys, row)) if row else None

    def _attach(self, row: dict) -> Site:
        """Open a site another worker (or this one, earlier) created."""
        config = self._config_for(row["name"], row["seed"], mp_api_key=row["mp_api_key"],
                                  admin_app_password=row["admin_app_password"], mp_webhook_key=row["mp_webhook_key"])
        if self.memory:
            raise LookupError(row["name"])  # an in-memory site lives in the process that made it
        site = Site(config, open_store(str(self.path(row["name"]))), name=row["name"])
        site.created_at = row["created_at"]
        return site

    def _forget(self, name: str) -> Site | None:
        with self._lock:
            site = self._open.pop(name, None)
        if site is not None and not self.memory:
            site.store.close()
        return site

    def _config_for(self, name: str | None, seed: int, **overrides) -> Config:
        if "db" not in overrides:
            overrides["db"] = ":memory:" if self.memory else str(self.path(name)) if name else self.config.db
        return dataclasses.replace(self.config, seed=seed, webhooks=(), **overrides)


def _app_password() -> str:
    raw = secrets.token_hex(12)
    return " ".join(raw[i:i + 4] for i in range(0, 24, 4))


class SitesLayer:
    """Outermost WSGI layer: ``/sites/{name}/...`` is that site's ``/...``; anything else is the
    default site's. Later layers and the app read the site from ``environ[ENVIRON_KEY]``."""

    def __init__(self, app, sites: Sites):
        self.app = app
        self.sites = sites

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(PREFIX):
            name, _, rest = path[len(PREFIX):].partition("/")
            site = self.sites.get(name) if NAME.fullmatch(name) else None
            if site is None:
                response = wp.error("mock_no_site", f"No site named {name!r} on this server.", 404)
                return response(environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX + name
            environ["PATH_INFO"] = "/" + rest
        else:
            site = self.sites.default
        environ[ENVIRON_KEY] = site
        with site.store.request_scope():
            reading = site.clock.reading()

            def dated(status, headers, exc_info=None):   # the HTTP Date is the site's too
                return start_response(status, [*headers, ("Date", clock.http_date(reading))],
                                      exc_info)

            with clock.using(reading):
                return self.app(environ, dated)
