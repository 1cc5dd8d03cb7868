"""PostgreSQL underneath the mock: connections, and the SQLite dialect the modules speak, translated.

The modules above the store write their SQL once, for SQLite (``?`` placeholders, ``INSERT OR
IGNORE``, two-argument ``max``, ``INTEGER PRIMARY KEY AUTOINCREMENT`` in DDL). ``translate`` and
``ddl`` turn it into PostgreSQL here and nowhere else.

A location is the database URL, optionally with the schema after ``#``
(``postgresql://host/db#site_x``); without one it is ``public``. Every site is a schema of one
database, so a thread keeps one connection per database and points its ``search_path`` at the
schema of the store it serves, instead of holding a connection per site. A connection is never
used by two threads, nor by a process it was not opened in (gunicorn forks workers after the
server has set up the site).
"""
from __future__ import annotations

import os
import re
import threading

import psycopg
from psycopg import sql

SCHEMES = ("postgresql://", "postgres://")


def is_pg(location: str) -> bool:
    return str(location).startswith(SCHEMES)


def split(location: str) -> tuple[str, str]:
    """(connection URL, schema)."""
    url, _, schema = str(location).partition("#")
    return url, schema or "public"


def at(location: str, schema: str) -> str:
    return f"{split(location)[0]}#{schema}"


# -- the dialect ------------------------------------------------------------------------------------

_QUOTED_OR_MARK = re.compile(r"'(?:[^']|'')*'|\?|%")
_MAX2 = re.compile(r"\bmax\(([^(),]+),([^(),]+)\)", re.I)


def translate(statement: str, params: bool = True) -> str:
    """One statement of the modules' SQLite dialect in PostgreSQL's (a literal ``%`` is doubled
    only where psycopg reads placeholders: when there are parameters)."""
    marks = {"?": "%s", "%": "%%"} if params else {}
    out = _QUOTED_OR_MARK.sub(lambda m: marks.get(m.group(0), m.group(0)), statement)
    if out.lstrip().upper().startswith("INSERT OR IGNORE"):
        out = re.sub(r"(?i)INSERT OR IGNORE", "INSERT", out, count=1) + " ON CONFLICT DO NOTHING"
    return _MAX2.sub(r"greatest(\1,\2)", out)


def ddl(script: str) -> list[str]:
    """A SQLite DDL script as PostgreSQL statements: 64-bit integers, serial ids, doubles."""
    script = re.sub(r"INTEGER PRIMARY KEY( AUTOINCREMENT)?", "BIGSERIAL PRIMARY KEY", script)
    script = re.sub(r"\bINTEGER\b", "BIGINT", script)
    script = re.sub(r"\bREAL\b", "DOUBLE PRECISION", script)
    script = script.replace(" WITHOUT ROWID", "")
    return [s.strip() for s in script.split(";") if s.strip()]


# -- connections ----------------------------------------------------------------------------------

_local = threading.local()
_inherited: list = []   # a forked child's copies of its parent's connections: kept, never closed


def _pool() -> dict:
    if getattr(_local, "pid", None) != os.getpid():
        _inherited.append(getattr(_local, "conns", None))
        _local.pid, _local.conns = os.getpid(), {}
    return _local.conns


def connection(location: str, busy: set | None = None) -> psycopg.Connection:
    """This thread's connection to the location's database, its search_path on the schema.

    A connection inside a transaction (``busy``) is not lent to another schema: a thread that
    reads one site while writing another gets a second connection."""
    url, schema = split(location)
    conns = _pool().setdefault(url, [])
    chosen = None
    for conn in conns:
        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            continue
        if conn.mm_schema == schema:
            return conn
        chosen = chosen or conn
    if chosen is None:
        for conn in [c for c in conns if c.closed or c.broken]:
            conns.remove(conn)
        chosen = psycopg.connect(url, autocommit=True)
        chosen.mm_schema = None
        conns.append(chosen)
    chosen.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    chosen.mm_schema = schema
    return chosen


def close_thread() -> None:
    """Close this thread's connections (a test's database is about to go)."""
    for conns in _pool().values():
        for conn in conns:
            conn.close()
    _local.conns = {}


class Db:
    """A connection seen through the SQLite dialect: what the modules call ``db``."""

    __slots__ = ("conn",)

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, statement: str, params=()) -> psycopg.Cursor:
        if params:
            return self.conn.execute(translate(statement), tuple(params))
        return self.conn.execute(translate(statement, params=False))

    def executemany(self, statement: str, rows) -> psycopg.Cursor:
        cursor = self.conn.cursor()
        cursor.executemany(translate(statement), [tuple(r) for r in rows])
        return cursor

    def executescript(self, script: str) -> None:
        """DDL, run whole under a lock of its schema: several instances may start at once."""
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            for statement in ddl(script):
                self.conn.execute(statement)


def create_schema(location: str) -> None:
    url, schema = split(location)
    conn = connection(f"{url}#public")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def drop_schema(location: str) -> None:
    url, schema = split(location)
    connection(f"{url}#public").execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def schemas(location: str, prefix: str) -> list[str]:
    url, _ = split(location)
    rows = connection(f"{url}#public").execute(
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", (prefix,))
    return [name for (name,) in rows]
