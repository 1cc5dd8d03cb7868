"""Where each worker process puts its journal entries before they reach the journal's database.

An entry is one JSON line appended to the worker's own file beside the journal database
(``<journal>-spool-<pid>-<n>``): one ``write`` before the answer leaves, so a test that asks the
journal right after its request, whichever worker it asks, finds the entry. Writing the entry into
SQLite on the request's path, one commit per request or even grouped, cost a quarter of the
throughput of a cached GET; an append costs a few microseconds, and nothing else of the journal's
work happens on a request's path.

Readers move what the files hold into the database (``Journal.drain``), under an exclusive lock on
``<journal>-spool.lock`` so that two readers never take the same lines twice; each file's read
offset is kept in the database, committed with the rows it covered. A worker starts a new file
every ``SEGMENT`` entries and deletes its files older than the journal keeps, so the files stay
bounded when nobody reads. A reader deletes a file once it has read all of it and its worker has
moved on to a newer one or is gone. A torn last line (a worker killed mid-write) is never read.
"""
from __future__ import annotations

import fcntl
import glob
import json
import os
import re
import threading
from contextlib import contextmanager

SEGMENT = 1024   # entries per spool file

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
NAMED = re.compile(r"-spool-[0-9]+-[0-9]+$")
DDL = "CREATE TABLE IF NOT EXISTS spooled (file TEXT PRIMARY KEY, offset INTEGER NOT NULL)"


class Spool:
    def __init__(self, journal_path: str, size: int):
        self.prefix = journal_path + "-spool-"
        self.lock_path = journal_path + "-spool.lock"
        self.keep = size // SEGMENT + 2   # a worker's files that can still hold one of the latest `size`
        self._write_lock = threading.Lock()
        self._fd = self._pid = None
        self._n = self._appended = 0

    def append(self, row: list) -> None:
        line = (_encode(row) + "\n").encode("utf-8", "replace")
        with self._write_lock:
            if self._pid != os.getpid() or self._appended >= SEGMENT:
                self._next_file()
            os.write(self._fd, line)
            self._appended += 1

    def _next_file(self) -> None:
        pid = os.getpid()
        if self._pid != pid:   # a forked worker, or a pid used before: files of its own, numbered on
            self._fd, self._pid = None, pid
            self._n = max((seq for p, seq in map(_owner, self._files()) if p == pid), default=-1)
        if self._fd is not None:
            os.close(self._fd)
        self._n += 1
        self._fd = os.open(f"{self.prefix}{pid}-{self._n}", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._appended = 0
        self.remove(f"{os.path.basename(self.prefix)}{pid}-{self._n - self.keep}")

    def _files(self) -> list[str]:
        return [os.path.basename(p) for p in glob.glob(glob.escape(self.prefix) + "*") if NAMED.search(p)]

    @contextmanager
    def locked(self):
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)   # closing releases the lock

    def pending(self, offsets: dict[str, int]):
        """(file, new offset, rows, done) for each spool file, reading past ``offsets[file]``;
        ``done``: nothing more will ever be written to it, and all of it has been read."""
        names = self._files()
        latest: dict[int, int] = {}
        for pid, seq in map(_owner, names):
            latest[pid] = max(seq, latest.get(pid, -1))
        for name in sorted(names, key=_owner):
            start = offsets.get(name, 0)
            try:
                with open(os.path.join(os.path.dirname(self.prefix), name), "rb") as handle:
                    handle.seek(start)
                    data = handle.read()
            except FileNotFoundError:   # its worker deleted it as too old
                yield name, 0, [], True
                continue
            end = data.rfind(b"\n") + 1
            rows = [json.loads(line) for line in data[:end].splitlines() if line]
            pid, seq = _owner(name)
            finished = end == len(data) and seq < latest[pid]
            yield name, start + end, rows, finished or not _alive(pid)   # a dead worker's torn line never completes

    def remove(self, name: str) -> None:
        try:
            os.unlink(os.path.join(os.path.dirname(self.prefix), name))
        except FileNotFoundError:
            pass


def _owner(name: str) -> tuple[int, int]:
    pid, _, seq = name.rpartition("-spool-")[2].partition("-")
    return int(pid), int(seq)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
