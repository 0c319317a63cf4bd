"""Isso's database (its `comments.db`, SQLite), opened read-only: its threads, keyed by the
page's path (`/2014/test/`, which the store step joins to the site's origin), and their
comments, read a row at a time.

Isso keeps Markdown source, a mode per comment (1 published, 2 waiting for moderation,
4 deleted but kept because others reply to it), Unix times, and the poster's address already
anonymised (`192.168.1.0`). Every schema Isso has had (user_version 0 to 5) has the columns
read here; those it added later (`notification`) or made stricter (`text NOT NULL`) are not
needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..models import Status
from .records import Markup, ParseError, Record, Skipped, SourceComment, SourceThread

HEADER = b"SQLite format 3\x00"
MODES = {1: Status.PUBLISHED, 2: Status.PENDING, 4: Status.DELETED}
_COLUMNS = {
    "threads": ("id", "uri", "title"),
    "comments": (
        "tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text", "author",
        "email", "website", "likes",
    ),
}  # fmt: skip


def sniff(head: bytes) -> bool:
    return head.startswith(HEADER)


def read(path: Path) -> Iterator[Record]:
    """The threads, then every comment oldest first (a parent before its replies)."""
    # A URI, so that the file is opened read-only and never created: `?` or `#` in a name
    # are quoted by as_uri().
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ParseError(f"{path.name} cannot be opened: {exc}") from exc
    try:
        _check_schema(connection, path)
        yield from _threads(connection)
        yield from _comments(connection)
    except sqlite3.DatabaseError as exc:  # a page broken or cut short past the first
        raise ParseError(f"{path.name} is not a readable SQLite database: {exc}") from exc
    finally:
        connection.close()


def _check_schema(connection: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {
            table: {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            for table in _COLUMNS
        }
    except sqlite3.DatabaseError as exc:
        raise ParseError(f"{path.name} is not an SQLite database ({exc})") from exc
    missing = [f"table {t}" for t, columns in tables.items() if not columns]
    missing += [
        f"column {table}.{column}"
        for table, columns in tables.items()
        if columns
        for column in _COLUMNS[table]
        if column not in columns
    ]
    if missing:
        raise ParseError(f"{path.name} is not an Isso database: no {', '.join(missing)}.")


def _threads(connection: sqlite3.Connection) -> Iterator[Record]:
    for id_, uri, title in connection.execute("SELECT id, uri, title FROM threads ORDER BY id"):
        if not isinstance(uri, str) or not uri:
            yield Skipped(f"thread {id_}", "the thread has no page (uri)")
            continue
        yield SourceThread(key=str(id_), url=uri, title=title if isinstance(title, str) else "")


def _comments(connection: sqlite3.Connection) -> Iterator[Record]:
    rows = connection.execute(f"SELECT {', '.join(_COLUMNS['comments'])} FROM comments ORDER BY id")
    for tid, id_, parent, created, modified, mode, ip, text, author, email, website, likes in rows:
        key = str(id_)
        status = MODES.get(mode)
        if status is None:
            yield Skipped(key, f"Isso's mode {mode!r} is none we know (1, 2 or 4)")
            continue
        created_at = _moment(created)
        if created_at is None:
            yield Skipped(key, f"the comment's date ({created!r}) is not a Unix time")
            continue
        yield SourceComment(
            key=key,
            thread=str(tid),
            parent=str(parent) if parent else None,  # Isso treats 0 as "no parent" too
            author_name=_text(author),
            author_email=_text(email),
            author_url=_text(website),
            body=_text(text),
            markup=Markup.MARKDOWN,
            created_at=created_at,
            status=status,
            ip=_text(ip),
            likes=likes if isinstance(likes, int) and likes > 0 else 0,
            edited_at=_moment(modified),
        )


def _moment(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: object) -> str:
    # Older schemas let text be NULL; a deleted placeholder's author and website are NULL.
    return value if isinstance(value, str) else ""
