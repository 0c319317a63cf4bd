"""A file's records, read through once into a scratch SQLite database before anything is
written: a file that turns out broken on its last line writes nothing, a thread's comments can
be taken together wherever the file put them (Disqus lists them by time across all threads),
and memory does not grow with the file."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ..models import Status
from .records import (
    Kind,
    Markup,
    Record,
    Skipped,
    SourceComment,
    SourceSettings,
    SourceThread,
)

DUPLICATE = "the comment appears twice in the file"
_SCHEMA = """
CREATE TABLE thread (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, url TEXT, title TEXT);
CREATE TABLE comment (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, thread TEXT, record TEXT);
CREATE INDEX comment_by_thread ON comment (thread, seq);
CREATE TABLE skipped (key TEXT, why TEXT);
CREATE TABLE settings (record TEXT);
"""


class Stage:
    """The scratch database, removed on close."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="widget-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "stage.sqlite3")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.executescript(_SCHEMA)
        self.comments = 0

    def __enter__(self) -> Stage:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()

    def fill(
        self, records: Iterable[Record], progress: Callable[[int], None] | None = None
    ) -> None:
        """Reads every record in; a ParseError from the reader leaves the stage to be thrown
        away. A thread or comment key seen twice keeps its first record."""
        with self._db:
            for record in records:
                if isinstance(record, SourceComment):
                    added = self._db.execute(
                        "INSERT OR IGNORE INTO comment (key, thread, record) VALUES (?, ?, ?)",
                        (record.key, record.thread, _dump(record)),
                    ).rowcount
                    if added:
                        self.comments += 1
                        if progress is not None and self.comments % 500 == 0:
                            progress(self.comments)
                    else:
                        self._skip(record.key, DUPLICATE)
                elif isinstance(record, SourceThread):
                    self._db.execute(
                        "INSERT OR IGNORE INTO thread (key, url, title) VALUES (?, ?, ?)",
                        (record.key, record.url, record.title),
                    )
                elif isinstance(record, Skipped):
                    self._skip(record.key, record.why)
                elif isinstance(record, SourceSettings):
                    self._db.execute(
                        "INSERT INTO settings (record) VALUES (?)", (json.dumps(record.values),)
                    )

    def _skip(self, key: str, why: str) -> None:
        self._db.execute("INSERT INTO skipped (key, why) VALUES (?, ?)", (key, why))

    def threads(self) -> Iterator[SourceThread]:
        for key, url, title in self._db.execute("SELECT key, url, title FROM thread ORDER BY seq"):
            yield SourceThread(key, url, title)

    def count_of(self, thread: str) -> int:
        row = self._db.execute("SELECT count(*) FROM comment WHERE thread = ?", (thread,))
        return int(row.fetchone()[0])

    def comments_of(self, thread: str) -> list[SourceComment]:
        rows = self._db.execute(
            "SELECT record FROM comment WHERE thread = ? ORDER BY seq", (thread,)
        )
        return [_load(record) for (record,) in rows]

    def homeless(self) -> Iterator[tuple[str, str]]:
        """(key, thread key) of the comments whose thread the file does not have."""
        yield from self._db.execute(
            "SELECT key, thread FROM comment WHERE thread NOT IN (SELECT key FROM thread)"
        )

    def skipped(self) -> Iterator[tuple[str, str]]:
        yield from self._db.execute("SELECT key, why FROM skipped ORDER BY rowid")

    def settings(self) -> dict[str, Any] | None:
        row = self._db.execute("SELECT record FROM settings ORDER BY rowid DESC").fetchone()
        return json.loads(row[0]) if row else None


def _dump(comment: SourceComment) -> str:
    return json.dumps(asdict(comment), default=_encode)


def _encode(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _load(text: str) -> SourceComment:
    data = json.loads(text)
    data["markup"] = Markup(data["markup"])
    data["status"] = Status(data["status"])
    data["kind"] = Kind(data["kind"])
    data["created_at"] = datetime.fromisoformat(data["created_at"])
    if data["edited_at"] is not None:
        data["edited_at"] = datetime.fromisoformat(data["edited_at"])
    return SourceComment(**data)
