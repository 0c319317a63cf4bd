"""Extensions, created here once and bound to an app in create_app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from authlib.integrations.flask_client import OAuth
from flask import Flask, has_request_context, request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

F = TypeVar("F", bound=Callable[..., Any])

# Named constraints, so that Alembic migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
oauth = OAuth()
# gzip or brotli for HTML, CSS, JS and JSON (the thread page is stored gzipped already).
compress = Compress()


def _client_address() -> str:
    from .ratelimits import client_address

    return client_address()


limiter = Limiter(key_func=_client_address)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL lets readers work while one writer writes; busy_timeout waits instead of failing."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy, not the driver, issue BEGIN: pysqlite's own handling breaks SAVEPOINT.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn) -> None:  # type: ignore[no-untyped-def]
    if conn.dialect.name == "sqlite":
        # A transaction that reads and then writes fails at once ("database is locked") when
        # another writer committed in between; one that takes the write lock first just waits.
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_writes_immediately(app: Flask) -> None:
    """On SQLite, requests that change state take the write lock at their first query; views
    marked writes_late take it when they start writing (begin_writing)."""

    @app.before_request
    def _immediate() -> None:
        if not _writes_to_sqlite():
            return
        if getattr(app.view_functions.get(request.endpoint or ""), "writes_late", False):
            return
        if not db.session().in_transaction():  # (in tests a fixture's may already be open)
            _take_write_lock()


def writes_late(view: F) -> F:
    """A view whose service reads first and calls begin_writing() when it starts to write, so
    that SQLite's one write lock is held only for the writing (posting a comment)."""
    view.writes_late = True  # type: ignore[attr-defined]
    return view


def begin_writing() -> None:
    """On SQLite, in a request, the write lock from here on: the transaction that only read is
    ended and a writing one begun. What it read is kept as read, moments ago (not read again)."""
    if not has_request_context() or not _writes_to_sqlite():
        return
    session = db.session()
    if session.in_transaction():
        if session.connection().get_execution_options().get("sqlite_immediate"):
            return
        if session.new or session.dirty or session.deleted:
            return  # (a caller's own unfinished work: not ours to commit)
        commit_keeping_loaded()
    _take_write_lock()


def commit_keeping_loaded() -> None:
    """Commits, and keeps what the session holds as it is now instead of reading every row
    again at its next use: for a request that goes on with what it has just read or written."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _writes_to_sqlite() -> bool:
    return request.method not in ("GET", "HEAD", "OPTIONS") and db.engine.dialect.name == "sqlite"


def _take_write_lock() -> None:
    db.session.connection(execution_options={"sqlite_immediate": True})
