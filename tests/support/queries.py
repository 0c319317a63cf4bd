"""The SQL statements an app's own engine runs, for tests that count or forbid them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from widget.extensions import db

# What the connection itself runs around a query (SQLite's pragmas, transactions), not the app.
NOT_QUERIES = ("PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE")


@contextmanager
def app_queries(app: Flask) -> Iterator[list[str]]:
    """Every statement the app's engine runs meanwhile."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_queries(app: Flask, fn: Callable[[], object]) -> int:
    """How many queries (statements but the connection's own) `fn()` has the app run."""
    with app_queries(app) as statements:
        fn()
    return sum(1 for statement in statements if not statement.startswith(NOT_QUERIES))
