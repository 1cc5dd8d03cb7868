"""The request journal: what clients sent to the plugins' routes and what they got back.

Entries live in a SQLite file of their own beside the site's database (``<db>.journal.sqlite3``),
so every worker reads the same journal, and journal writes never touch the site's database (whose
version retires the cached GET answers). A worker appends each entry to a spool file of its own
before the answer leaves (``journal_spool``), and a reader moves the spooled entries into the
database first, so a test that asks the journal right after its request finds it, whichever worker
served either. On PostgreSQL the journal is a table of the site's schema, written on the request's
path outside the store's versioned transactions, so every instance behind a balancer, on whatever
host, lists the same requests. The journal is bounded: older entries are dropped past ``size``.
"""
from __future__ import annotations

import io
import json
import re
import sqlite3
import threading
import time
from datetime import datetime, timezone
from functools import cache, lru_cache
from pathlib import Path

from mock_server import operations, pg
from mock_server.journal_spool import DDL as SPOOL_DDL
from mock_server.journal_spool import Spool
from mock_server.store import Store

DDL = """
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    api TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    headers TEXT NOT NULL,
    body TEXT,
    status INTEGER,
    duration_ms REAL NOT NULL,
    fault INTEGER
);
CREATE INDEX IF NOT EXISTS journal_at ON journal (at);
"""
INSERT = ("INSERT INTO journal (at, api, method, path, query, headers, body, status, duration_ms, fault)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
SECRET_HEADERS = {"authorization", "memberpress-api-key", "cookie", "x-wp-nonce"}
SECRET_FIELD = re.compile(r"pass(word)?|secret|api[_-]?key|token", re.I)
MAX_BODY = 64 * 1024
TRIM_EVERY = 256
CONTROL_PREFIX = "/__mock__"
COLUMNS = ("id", "at", "api", "method", "path", "query", "headers", "body", "status", "duration_ms", "fault")


def path_for(db: str) -> str:
    if db == ":memory:" or pg.is_pg(db):
        return db
    return str(Path(db).with_suffix(".journal.sqlite3"))


@cache
def api_prefixes() -> tuple[tuple[str, str], ...]:
    """(route prefix, API) read from the OpenAPI documents: /wp-json/mp/v1 is memberpress."""
    found = {}
    for api in operations.documents():
        for op in operations.load(api):
            found["/".join(op.path.split("/")[:4])] = api
    return tuple(sorted(found.items(), key=lambda kv: -len(kv[0])))


def api_of(path: str) -> str:
    return _api_by_prefix().get("/".join(path.split("/", 4)[:4]), "other")


@cache
def _api_by_prefix() -> dict[str, str]:
    return dict(api_prefixes())


class Journal:
    def __init__(self, path: str, size: int, site_name: str | None = None):
        self.path, self.size, self.site_name = path, size, site_name
        self._local = threading.local()
        self._shared = self._connect() if path == ":memory:" else None
        self.spool = None if self._shared is not None or pg.is_pg(path) else Spool(path, size)
        self._lock = threading.Lock()                 # the write turn
        self.glob = "path ~ ?" if pg.is_pg(path) else "path GLOB ?"
        self._queue_lock = threading.Lock()
        self._queue: list[tuple] = []
        self._queued = self._written = self._since_trim = 0
        _retrying(lambda: self.db.executescript(DDL))
        if self.spool is not None:
            _retrying(lambda: self.db.execute(SPOOL_DDL))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        if self.path != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = OFF")   # a lost tail on power loss is fine for a journal
            db.execute("PRAGMA busy_timeout = 1")     # a busy write is retried by record, promptly
        return db

    @property
    def db(self) -> sqlite3.Connection:
        if pg.is_pg(self.path):
            return pg.Db(pg.connection(self.path))
        if self._shared is not None:
            return self._shared
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def close(self) -> None:
        db = self._shared or getattr(self._local, "db", None)
        if db is not None:
            db.close()
        self._local.db = None

    # -- writing -----------------------------------------------------------------------------

    def record(self, row: list) -> None:
        """Write one request's entry before its answer is complete, so any worker reads it next."""
        if self.spool is not None:
            self.spool.append(row)
            return
        row = (*row[:5], json.dumps(row[5]), *row[6:])
        with self._queue_lock:   # group commit: whoever holds the write turn writes every queued row
            self._queue.append(row)
            self._queued += 1
            mine = self._queued
        with self._lock:
            if self._written >= mine:
                return
            with self._queue_lock:
                rows, self._queue = self._queue, []
                upto = self._queued
            self._write(rows)
            self._written = upto

    def drain(self) -> int:
        """Move the spooled entries into the database; returns how many."""
        spool = self.spool
        if spool is None:
            return 0
        with spool.locked():
            db = self.db
            found = list(spool.pending(dict(db.execute("SELECT file, offset FROM spooled"))))
            rows = sorted(((*r[:5], json.dumps(r[5]), *r[6:]) for _, _, batch, _ in found for r in batch),
                          key=lambda row: row[0])
            if not rows and not any(done for *_, done in found):
                return 0
            Store._begin(db)
            try:
                db.executemany(INSERT, rows)
                for name, offset, _, done in found:
                    if done:
                        db.execute("DELETE FROM spooled WHERE file = ?", (name,))
                    else:
                        db.execute("INSERT OR REPLACE INTO spooled (file, offset) VALUES (?, ?)", (name, offset))
                db.execute("DELETE FROM journal WHERE id <= (SELECT max(id) FROM journal) - ?", (self.size,))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            for name, *_, done in found:
                if done:
                    spool.remove(name)
            return len(rows)

    def _write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        db = self.db
        before, self._since_trim = self._since_trim, self._since_trim + len(rows)
        trim = before // TRIM_EVERY != self._since_trim // TRIM_EVERY
        if len(rows) == 1 and not trim:   # one statement commits itself: the cheapest write
            _retrying(lambda: db.execute(INSERT, rows[0]))
            return
        db.execute("BEGIN")
        try:
            db.executemany(INSERT, rows)
            if trim:
                db.execute("DELETE FROM journal WHERE id <= (SELECT max(id) FROM journal) - ?", (self.size,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def clear(self) -> int:
        if self.spool is None:
            return _retrying(lambda: self.db.execute("DELETE FROM journal").rowcount)
        with self.spool.locked():   # spooled entries are dropped unread: their offsets move past them
            db = self.db
            found = list(self.spool.pending(dict(db.execute("SELECT file, offset FROM spooled"))))
            Store._begin(db)
            db.executemany("INSERT OR REPLACE INTO spooled (file, offset) VALUES (?, ?)",
                           [(name, offset) for name, offset, *_ in found])
            cleared = db.execute("DELETE FROM journal").rowcount
            db.execute("COMMIT")
            return cleared + sum(len(batch) for _, _, batch, _ in found)

    # -- reading -----------------------------------------------------------------------------

    def entries(self, filters: dict, limit: int | None = None) -> list[dict]:
        self.drain()
        where, args = _where(filters, self.glob)
        sql = f"SELECT {', '.join(COLUMNS)} FROM journal{where}"
        if limit:   # the latest `limit`, still oldest first
            sql = f"SELECT * FROM ({sql} ORDER BY at DESC, id DESC LIMIT {int(limit)}) AS latest"
        sql += " ORDER BY at, id"   # by arrival: a slow request is listed where it began
        return [self._entry(row) for row in self.db.execute(sql, args)]

    def entry(self, entry_id: int) -> dict | None:
        self.drain()
        row = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM journal WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row) if row else None

    def count(self, filters: dict) -> int:
        self.drain()
        where, args = _where(filters, self.glob)
        return self.db.execute(f"SELECT count(*) FROM journal{where}", args).fetchone()[0]

    def _entry(self, row) -> dict:
        entry = dict(zip(COLUMNS, row))
        entry["time"] = datetime.fromtimestamp(entry.pop("at"), timezone.utc).isoformat(timespec="milliseconds")
        entry["headers"] = json.loads(entry["headers"])
        entry["site"] = self.site_name
        return entry


class FilterError(ValueError):
    pass


def _where(filters: dict, glob: str = "path GLOB ?") -> tuple[str, list]:
    """SQL for the journal filters: method, path (a glob), status (503 or 5xx), api, since."""
    clauses, args = [], []
    if filters.get("method"):
        clauses.append("method = ?")
        args.append(filters["method"].upper())
    if filters.get("path"):
        clauses.append(glob)
        args.append(filters["path"] if "GLOB" in glob else _glob_regex(filters["path"]))
    if filters.get("api"):
        clauses.append("api = ?")
        args.append(filters["api"])
    status = filters.get("status")
    if status:
        if re.fullmatch(r"[1-5][0-9]{2}", status):
            clauses.append("status = ?")
            args.append(int(status))
        elif re.fullmatch(r"[1-5][xX]{2}", status):
            clauses.append("status BETWEEN ? AND ?")
            args += [int(status[0]) * 100, int(status[0]) * 100 + 99]
        else:
            raise FilterError("status is a code such as 503 or a class such as 5xx")
    if filters.get("since"):
        clauses.append("at >= ?")
        args.append(_moment(filters["since"]))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _glob_regex(pattern: str) -> str:
    """GLOB's meaning (case-sensitive ``*``, ``?``, ``[...]``, whole string) as a POSIX regex."""
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        end = pattern.find("]", i + 2) if ch == "[" else -1
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif end > 0:
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("^") else body).replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out) + "$"


def _moment(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError("since is an ISO 8601 time (2027-01-01T00:00:00Z) or Unix seconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


# -- masking -------------------------------------------------------------------------------------

def masked_headers(environ) -> dict:
    out = {}
    for key, value in environ.items():
        name, secret = _header(key)
        if name is not None and value:
            out[name] = _mask_header(name, value) if secret else value
    return out


@lru_cache(maxsize=1024)   # bounded: a client chooses its header names
def _header(key: str) -> tuple[str | None, bool]:
    """An environ key's header name (None when it is no header) and whether it is a secret."""
    if key[:5] == "HTTP_":
        name = key[5:].replace("_", "-").title()
    elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        name = key.replace("_", "-").title()
    else:
        return None, False
    return name, name.lower() in SECRET_HEADERS


def _mask_header(name: str, value: str) -> str:
    if name.lower() == "authorization" and value[:6].lower() == "basic ":
        import base64
        try:
            login = base64.b64decode(value[6:].strip(), validate=True).decode("utf-8").partition(":")[0]
            return f"Basic {login}:***"
        except (ValueError, UnicodeDecodeError):
            return "Basic ***"
    return "***"


def masked_body(raw: bytes, content_type: str) -> str | None:
    if not raw:
        return None
    text = raw[:MAX_BODY].decode("utf-8", "replace")
    if "json" in content_type:
        try:
            return json.dumps(_mask_fields(json.loads(raw)), ensure_ascii=False)[:MAX_BODY]
        except (ValueError, RecursionError):
            return text
    if "x-www-form-urlencoded" in content_type:
        from urllib.parse import parse_qsl, urlencode
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, "***" if SECRET_FIELD.search(k) else v) for k, v in pairs])
    return text


def _mask_fields(node):
    if isinstance(node, dict):
        return {k: "***" if SECRET_FIELD.search(str(k)) and not isinstance(v, (dict, list)) else _mask_fields(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_mask_fields(v) for v in node]
    return node


def _retrying(write, patience: float = 30.0):
    """Run a write, asking again every fraction of a millisecond while another holds the lock."""
    deadline, pause = time.monotonic() + patience, 0.0002
    while True:
        try:
            return write()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 1.5, 0.002)


# -- the WSGI layer --------------------------------------------------------------------------------

class JournalLayer:
    """Records every request to the plugins' routes (not /__mock__/) in its site's journal."""

    def __init__(self, app, site_key: str):
        self.app = app
        self.site_key = site_key

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        if path.startswith(CONTROL_PREFIX):
            return self.app(environ, start_response)
        journal = environ[self.site_key].journal
        if journal is None:
            return self.app(environ, start_response)
        started = time.time()
        raw = _buffer_body(environ)
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status[:3])
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, recording_start_response)
        finally:
            journal.record([started, api_of(path), environ.get("REQUEST_METHOD", "GET"), path,
                            environ.get("membermock.query_as_sent", environ.get("QUERY_STRING", "")),
                            masked_headers(environ),
                            masked_body(raw, environ.get("CONTENT_TYPE") or ""), seen.get("status"),
                            round((time.time() - started) * 1000, 3), environ.get("membermock.fault")])
        return result


def _buffer_body(environ) -> bytes:
    """Read the body once and put it back, so the app still reads it all."""
    length = environ.get("CONTENT_LENGTH")
    if not length:
        return b""
    try:
        length = int(length)
    except ValueError:
        return b""
    from mock_server.app import MAX_BODY as LIMIT
    if length <= 0 or length > LIMIT:
        return b""
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    return raw
