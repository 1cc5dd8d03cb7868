"""State of the mocked WordPress site, kept in SQLite.

One table holds every stored object as JSON, keyed by ``(kind, id)``; ids come from named
sequences that behave like MySQL AUTO_INCREMENT (unique, increasing, never reused, shared
where WordPress shares them: every post type draws from ``posts``). A file database lets
several worker processes share the state and a restart keep it; ``:memory:`` is for tests.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

MAX_ID = 2**63 - 1
KEPT_META = "clock"   # a site's clock is a setting, not data: a reset or a new data set keeps it

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user_login ON objects (lower(json_extract(data, '$.user_login'))) WHERE kind = 'user';
CREATE INDEX IF NOT EXISTS user_email ON objects (lower(json_extract(data, '$.user_email'))) WHERE kind = 'user';
CREATE INDEX IF NOT EXISTS txn_member ON objects (json_extract(data, '$.member')) WHERE kind = 'mp_transaction';
CREATE INDEX IF NOT EXISTS txn_subscription ON objects (json_extract(data, '$.subscription')) WHERE kind = 'mp_transaction';
CREATE INDEX IF NOT EXISTS sub_member ON objects (json_extract(data, '$.member')) WHERE kind = 'mp_subscription';
CREATE TABLE IF NOT EXISTS sequences (
    name TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def open_store(location: str):
    """The store at ``location``: a SQLite file or ``:memory:``, or a PostgreSQL URL
    (``postgresql://...``, optionally ``#schema``; ``mock_server.pg_store``)."""
    from mock_server import pg
    if pg.is_pg(location):
        from mock_server.pg_store import PgStore
        return PgStore(location)
    return Store(location)


@contextmanager
def pinned_version(local: threading.local, read):
    """One request reads the store's version once: the clock, the faults and the cached answers it
    consults see the site as of the request's start; ``version()`` still adds this process's own
    writes to the pinned count, so a request that writes does not take its answer for unchanged."""
    local.pinned = None
    local.pinned = read()[0]
    try:
        yield
    finally:
        local.pinned = None


class Store:
    """A thin, thread-safe handle: one SQLite connection per thread, explicit transactions."""

    shared = False   # one machine's processes: the webhook deliverer needs no leases

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        self._writes = 0
        self._memory = None
        self._version_lock = threading.Lock()
        self._version_db, self._version_pid = None, None
        if self.path == ":memory:":
            # One shared connection: a second :memory: connection would be a different database.
            self._memory = self._connect()
            self._lock = threading.RLock()
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        # Writers queue in _begin; the short timeout only covers the lock upgrade at COMMIT time.
        db.execute("PRAGMA busy_timeout = 1000")
        if self.path != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    @contextmanager
    def transaction(self):
        """A write transaction: everything inside commits together or not at all."""
        lock = getattr(self, "_lock", None)
        if lock:
            lock.acquire()
        db = self.db
        try:
            self._begin(db)
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            self._writes += 1
        finally:
            if lock:
                lock.release()

    unversioned = transaction   # SQLite has one kind of write transaction

    def request_scope(self):
        """An in-memory store's version costs one cheap read; a file's is read once per request."""
        return nullcontext() if self._memory is not None else pinned_version(self._local, self.version)

    @staticmethod
    def _begin(db: sqlite3.Connection, patience: float = 30.0) -> None:
        """Take the write lock, retrying every fraction of a millisecond.

        SQLite's own busy handler sleeps 1, 2, 5 ... 100 ms between tries, so under steady writes
        (workers, the webhook deliverer) a waiting writer could lose for tens of milliseconds at a
        time; asking again often keeps every writer's wait close to the others' commit times.
        """
        deadline = time.monotonic() + patience
        pause = 0.0002
        while True:
            try:
                db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 1.5, 0.002)

    def version(self) -> tuple[int, int]:
        """Changes whenever anyone commits, and compares across this process's threads.

        ``data_version`` counts the commits of other connections, per connection. Each thread
        writes through its own connection, so the version is read on one connection per process
        that never writes: every commit is another's to it, and every thread reads the same
        count. (Per-thread counts are not comparable: threads would take each other's cached
        answers for stale and never hit.) Inside ``request_scope`` the count read at the
        request's start stands, and this process's own commits, counted in ``_writes``, still
        move it. An in-memory store has one connection: its own commits count in ``_writes``."""
        if self._memory is not None:
            (data_version,) = self._memory.execute("PRAGMA data_version").fetchone()
            return data_version, self._writes
        pinned = getattr(self._local, "pinned", None)
        if pinned is not None:
            return pinned, self._writes
        with self._version_lock:
            if self._version_pid != os.getpid():   # a connection is never carried across a fork
                self._version_db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._version_pid = os.getpid()
            (data_version,) = self._version_db.execute("PRAGMA data_version").fetchone()
        return data_version, self._writes

    def close(self) -> None:
        """Close this thread's connection (an in-memory store's only one)."""
        db = self._memory or getattr(self._local, "db", None)
        if db is not None:
            db.close()
        self._local.db = None
        with self._version_lock:
            if self._version_db is not None and self._version_pid == os.getpid():
                self._version_db.close()
            self._version_db, self._version_pid = None, None

    def snapshot(self, path: str | Path) -> None:
        """A consistent copy of the whole database in a new file."""
        self.db.execute("VACUUM INTO ?", (str(path),))

    def copy(self) -> "Store":
        """A new in-memory store holding what this one holds."""
        other = Store(":memory:")
        self.db.backup(other.db)
        return other

    # -- ids ---------------------------------------------------------------------------

    def next_id(self, db: sqlite3.Connection, sequence: str) -> int:
        db.execute("INSERT OR IGNORE INTO sequences (name, last) VALUES (?, 0)", (sequence,))
        (value,) = db.execute(
            "UPDATE sequences SET last = last + 1 WHERE name = ? RETURNING last", (sequence,)
        ).fetchone()
        return value

    # -- objects -----------------------------------------------------------------------

    def get(self, kind: str, id_: int) -> dict | None:
        if not 0 <= id_ <= MAX_ID:  # a URL may carry any digits; SQLite integers stop here
            return None
        row = self.db.execute("SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, id_)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[dict]:
        rows = self.db.execute("SELECT data FROM objects WHERE kind = ? ORDER BY id", (kind,))
        return [json.loads(data) for (data,) in rows]

    def find(self, kind: str, field: str, value: str) -> dict | None:
        """The first object of ``kind`` whose ``field`` equals ``value``, ignoring case (indexed for
        users' logins and emails, which authentication and uniqueness checks look up)."""
        if not field.replace("_", "").isalnum():
            raise ValueError(f"not a field name: {field!r}")
        row = self.db.execute(
            f"SELECT data FROM objects WHERE kind = ? AND lower(json_extract(data, '$.{field}')) = lower(?) "
            "ORDER BY id LIMIT 1", (kind, str(value))).fetchone()
        return json.loads(row[0]) if row else None

    def where(self, kind: str, field: str, value) -> list[dict]:
        """The objects of ``kind`` whose ``field`` holds ``value`` as text (MemberPress rows keep
        their references as strings: 56 finds "56"), in id order.

        SQLite reads the field from the stored JSON itself, through the expression indexes of the
        references a member's activity and a subscription's payments are found by (the kind is
        written into the query, as a partial index needs), so a member's few transactions are
        found without parsing every transaction of the site.
        """
        if not field.replace("_", "").isalnum() or not kind.replace("_", "").isalnum():
            raise ValueError(f"not a kind and field: {kind!r}, {field!r}")
        rows = self.db.execute(f"SELECT data FROM objects WHERE kind = '{kind}' AND json_extract(data, '$.{field}') = ? "
                               "ORDER BY id", (str(value),))
        return [json.loads(data) for (data,) in rows]

    def put(self, db: sqlite3.Connection, kind: str, obj: dict) -> dict:
        db.execute(
            "INSERT INTO objects (kind, id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (kind, int(obj["id"]), json.dumps(obj, separators=(",", ":"))),
        )
        return obj

    def delete(self, db: sqlite3.Connection, kind: str, id_: int) -> bool:
        if not 0 <= id_ <= MAX_ID:
            return False
        return db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, id_)).rowcount > 0

    # -- site settings -----------------------------------------------------------------

    def get_meta(self, key: str, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, db: sqlite3.Connection, key: str, value) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def wipe(self, db: sqlite3.Connection) -> None:
        """Forget everything, sequences included: a reset returns to exactly the seeded site."""
        for table in ("objects", "sequences", "webhook_attempts", "webhook_deliveries"):
            db.execute(f"DELETE FROM {table}")
        db.execute("DELETE FROM meta WHERE key NOT IN (?)", (KEPT_META,))

    def dump(self) -> dict:
        out: dict[str, list] = {}
        for kind, data in self.db.execute("SELECT kind, data FROM objects ORDER BY kind, id"):
            out.setdefault(kind, []).append(json.loads(data))
        return out
