"""Rate-limit counts in an SQLite file that every process of one machine shares.

Without Redis, Flask-Limiter would count in each process's memory, so gunicorn's N workers would
allow N times every limit. An SQLite file in the instance folder is shared by all the workers
and threads of the machine: one statement per hit, atomic, on a file of its own (never waiting
on the database's write lock). Several machines still need Redis (WIDGET_REDIS_URL).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from limits.storage import Storage

from .config import private_sqlite_file

SCHEME = "widget+sqlite"
BUSY_SECONDS = 2.0  # then the hit fails, and Flask-Limiter counts in memory for a while
PURGE_EVERY = 1000  # hits per process between two sweeps of expired counts

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID
"""
# A window that has ended starts again at this hit; SET's right-hand sides see the old row.
_INCR = """
INSERT INTO hits (key, count, expires) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires <= :now THEN :amount ELSE count + :amount END,
    expires = CASE WHEN expires <= :now THEN :now + :expiry ELSE expires END
RETURNING count
"""


def storage_uri(instance_path: str) -> str:
    """The storage's URI for the counts file in the instance folder (an absolute path)."""
    return f"{SCHEME}://{os.path.join(instance_path, 'ratelimits.db')}"


class SharedFileStorage(Storage):
    """A limits storage (fixed windows) in one SQLite file; registered as widget+sqlite:///path."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (read once, by limits' registry)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions, **options)
        self.path = (uri or "").split("://", 1)[1]
        self._local = threading.local()
        self._hits = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened anew in a forked worker (never the master's)."""
        held: tuple[int, sqlite3.Connection] | None = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        private_sqlite_file(f"sqlite:///{self.path}")
        connection = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")  # counts, not records: a crash may lose some
        connection.execute(_SCHEMA)
        self._local.held = (os.getpid(), connection)
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        (count,) = db.execute(
            _INCR, {"key": key, "amount": amount, "now": now, "expiry": expiry}
        ).fetchall()[0]
        self._hits += 1
        if self._hits % PURGE_EVERY == 0:
            db.execute("DELETE FROM hits WHERE expires <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        row = (
            self._db()
            .execute("SELECT count FROM hits WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM hits WHERE key = ?", (key,)).fetchone()
        now = time.time()
        return float(row[0]) if row and row[0] > now else now

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM hits WHERE key = ?", (key,))
