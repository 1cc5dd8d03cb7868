"""Where each worker process puts its journal entries before they reach the journal's database.

An entry is one JSON line appended to the worker's own file beside the journal database
(``<journal>-spool-<pid>``): one ``write`` before the answer leaves, so a test that asks the journal
right after its request, whichever worker it asks, finds the entry. Writing the entry into SQLite
on the request's path, one commit per request or even grouped, cost a quarter of the throughput
of a cached GET; an append costs a few microseconds.

Readers move what the files hold into the database first (``drain``), under an exclusive lock on
``<journal>-spool.lock`` so that two readers never take the same lines twice, and each file's read
offset is kept in the database, committed with the rows it covered. A worker empties its own file
when it has grown (``Spool.append`` says when), so the files stay small when nobody reads. A file
whose worker is gone is removed once drained; a torn last line (a worker killed mid-write) is
never read.
"""
from __future__ import annotations

import fcntl
import glob
import json
import os
import threading
from contextlib import contextmanager

DRAIN_EVERY = 2048   # a worker drains its own file after this many appends

DDL = "CREATE TABLE IF NOT EXISTS spooled (file TEXT PRIMARY KEY, offset INTEGER NOT NULL)"


class Spool:
    def __init__(self, journal_path: str):
        self.prefix = journal_path + "-spool-"
        self.lock_path = journal_path + "-spool.lock"
        self.write_lock = threading.Lock()   # this process's turn to append, or to empty its file
        self._fd = self._pid = None
        self._appended = 0

    def append(self, row: list) -> bool:
        """Append one entry; True when this process's file is due to be drained."""
        line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")
        with self.write_lock:
            if self._pid != os.getpid():   # a forked worker gets a file of its own
                self._fd = os.open(self.own_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                self._pid, self._appended = os.getpid(), 0
            os.write(self._fd, line)
            self._appended += 1
            return self._appended % DRAIN_EVERY == 0

    def own_file(self) -> str:
        return f"{self.prefix}{os.getpid()}"

    def truncate_own(self) -> None:
        """Empty this process's file; the caller holds ``write_lock`` and the cross-process lock."""
        if self._fd is not None and self._pid == os.getpid():
            os.ftruncate(self._fd, 0)

    @contextmanager
    def locked(self):
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)   # closing releases the lock

    def pending(self, offsets: dict[str, int]):
        """(file, new offset, rows, gone) for each spool file, reading past ``offsets[file]``."""
        for path in sorted(glob.glob(glob.escape(self.prefix) + "*")):
            name = os.path.basename(path)
            start = offsets.get(name, 0)
            try:
                with open(path, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    if start > size:   # emptied by its worker after a reader's offset was kept
                        start = 0
                    handle.seek(start)
                    data = handle.read()
            except FileNotFoundError:
                yield name, 0, [], True
                continue
            end = data.rfind(b"\n") + 1
            rows = [json.loads(line) for line in data[:end].splitlines() if line]
            pid = name.rpartition("-")[2]
            yield name, start + end, rows, not _alive(pid)   # a dead worker's torn line never completes

    def remove(self, name: str) -> None:
        try:
            os.unlink(os.path.join(os.path.dirname(self.prefix), name))
        except FileNotFoundError:
            pass


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
