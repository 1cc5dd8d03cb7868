"""The site's state in PostgreSQL: what ``store.Store`` does in SQLite, for several instances at once.

One schema is one site. Tables are those of the SQLite store (objects as JSON text, named
sequences, meta), plus ``mock_version``: one row that every write transaction updates first.
That row does what SQLite's single writer lock does: writers take turns, so outbox row ids grow
in commit order (per-receiver webhook order) and sequence ids are handed out like MySQL
AUTO_INCREMENT (never reused, a rolled-back id is gone as a failed INSERT's is); and its value is
the version every instance compares its cached GET answers, clock and faults against, so a
write on one instance is seen by the next read on any other.

Objects keep the JSON text as written (a ``json`` column, not ``jsonb``, which would reorder
keys), so bodies come back byte for byte as stored.
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager

from psycopg import sql

from mock_server import pg
from mock_server.store import KEPT_META, MAX_ID, pinned_version

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id BIGINT NOT NULL,
    data JSON NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS user_login ON objects (lower(data ->> 'user_login')) WHERE kind = 'user';
CREATE INDEX IF NOT EXISTS user_email ON objects (lower(data ->> 'user_email')) WHERE kind = 'user';
CREATE INDEX IF NOT EXISTS txn_member ON objects ((data ->> 'member')) WHERE kind = 'mp_transaction';
CREATE INDEX IF NOT EXISTS txn_subscription ON objects ((data ->> 'subscription')) WHERE kind = 'mp_transaction';
CREATE INDEX IF NOT EXISTS sub_member ON objects ((data ->> 'member')) WHERE kind = 'mp_subscription';
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, last BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mock_version (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), v BIGINT NOT NULL);
INSERT INTO mock_version (one, v) VALUES (TRUE, 0) ON CONFLICT DO NOTHING
"""
COPIED = ("objects", "sequences", "meta")   # what a site takes from its seed's template


class PgStore:
    shared = True   # several instances share it: webhook lanes are leased (webhooks.outbox)

    def __init__(self, location: str):
        self.path = location
        self._local = threading.local()
        self._writes = 0
        pg.create_schema(location)
        conn = pg.connection(location)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            for statement in SCHEMA.split(";\n"):
                conn.execute(statement)

    @property
    def db(self) -> pg.Db:
        """Inside this thread's transaction, its connection (reads see its writes); else any."""
        tx = getattr(self._local, "tx", None)
        return tx if tx is not None else pg.Db(pg.connection(self.path))

    @contextmanager
    def transaction(self):
        """A write transaction, its first statement the version bump that orders it after the others."""
        with self._plain() as db:
            db.conn.execute("UPDATE mock_version SET v = v + 1")
            yield db
        self._writes += 1

    @contextmanager
    def unversioned(self):
        """A transaction that is not a change of the site (webhook lane claims): caches stay."""
        with self._plain() as db:
            yield db

    @contextmanager
    def _plain(self):
        if getattr(self._local, "tx", None) is not None:
            raise RuntimeError("a transaction is already open on this thread")
        conn = pg.connection(self.path)
        db = self._local.tx = pg.Db(conn)
        try:
            with conn.transaction():
                yield db
        finally:
            self._local.tx = None

    def version(self) -> tuple[int, int]:
        """The shared version row, and this process's commits: a value read inside a transaction
        (its own bump, not yet committed) is not taken for the committed state after it."""
        pinned = getattr(self._local, "pinned", None)
        if pinned is not None and getattr(self._local, "tx", None) is None:
            return pinned, self._writes
        (v,) = self.db.conn.execute("SELECT v FROM mock_version").fetchone()
        return v, self._writes

    def request_scope(self):
        return pinned_version(self._local, self.version)

    def close(self) -> None:
        """Connections belong to threads, shared by every site they serve: nothing of this store's own."""

    # -- ids ---------------------------------------------------------------------------

    def next_id(self, db: pg.Db, sequence: str) -> int:
        (value,) = db.conn.execute(
            "INSERT INTO sequences (name, last) VALUES (%s, 1) "
            "ON CONFLICT (name) DO UPDATE SET last = sequences.last + 1 RETURNING last", (sequence,)).fetchone()
        return value

    # -- objects -----------------------------------------------------------------------

    def get(self, kind: str, id_: int) -> dict | None:
        if not 0 <= id_ <= MAX_ID:
            return None
        row = self.db.conn.execute("SELECT data::text FROM objects WHERE kind = %s AND id = %s", (kind, id_)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[dict]:
        rows = self.db.conn.execute("SELECT data::text FROM objects WHERE kind = %s ORDER BY id", (kind,))
        return [json.loads(data) for (data,) in rows]

    def find(self, kind: str, field: str, value: str) -> dict | None:
        if not field.replace("_", "").isalnum():
            raise ValueError(f"not a field name: {field!r}")
        row = self.db.conn.execute(
            f"SELECT data::text FROM objects WHERE kind = %s AND lower(data ->> '{field}') = lower(%s) "
            "ORDER BY id LIMIT 1", (kind, str(value))).fetchone()
        return json.loads(row[0]) if row else None

    def where(self, kind: str, field: str, value) -> list[dict]:
        if not field.replace("_", "").isalnum() or not kind.replace("_", "").isalnum():
            raise ValueError(f"not a kind and field: {kind!r}, {field!r}")
        rows = self.db.conn.execute(
            f"SELECT data::text FROM objects WHERE kind = '{kind}' AND (data ->> '{field}') = %s ORDER BY id",
            (str(value),))
        return [json.loads(data) for (data,) in rows]

    def put(self, db: pg.Db, kind: str, obj: dict) -> dict:
        db.conn.execute(
            "INSERT INTO objects (kind, id, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (kind, int(obj["id"]), json.dumps(obj, separators=(",", ":"))))
        return obj

    def delete(self, db: pg.Db, kind: str, id_: int) -> bool:
        if not 0 <= id_ <= MAX_ID:
            return False
        return db.conn.execute("DELETE FROM objects WHERE kind = %s AND id = %s", (kind, id_)).rowcount > 0

    # -- site settings -----------------------------------------------------------------

    def get_meta(self, key: str, default=None):
        row = self.db.conn.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, db: pg.Db, key: str, value) -> None:
        db.conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, json.dumps(value)))

    def wipe(self, db: pg.Db) -> None:
        for table in ("objects", "sequences", "webhook_attempts", "webhook_deliveries"):
            db.conn.execute(f"DELETE FROM {table}")
        db.conn.execute("DELETE FROM meta WHERE key <> %s", (KEPT_META,))

    def dump(self) -> dict:
        out: dict[str, list] = {}
        for kind, data in self.db.conn.execute("SELECT kind, data::text FROM objects ORDER BY kind, id"):
            out.setdefault(kind, []).append(json.loads(data))
        return out

    # -- sites -------------------------------------------------------------------------

    def copy_from(self, schema: str) -> None:
        """Take the template schema's data (a new site's seeded state) in one transaction."""
        with self.transaction() as db:
            db.conn.execute("SELECT pg_advisory_xact_lock_shared(hashtext('membermock templates'))")
            for table in COPIED:
                db.conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                db.conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}.{}").format(
                    sql.Identifier(table), sql.Identifier(schema), sql.Identifier(table)))
