"""How a request takes the database's write lock, and commits.

PostgreSQL locks rows, and none of this matters there: every function below does nothing on it
but what it says about committing. SQLite has one write lock for the whole file, hence:

- WAL mode (set on every new connection): readers never wait for the writer, nor the writer
  for readers; busy_timeout makes a second writer wait up to 10 s for the lock, not fail.
- A transaction that read and then writes must take the write lock at its first write; if
  another writer committed since its first read, SQLite fails it at once ("database is
  locked"), whatever busy_timeout says. One that takes the lock first (BEGIN IMMEDIATE) just
  waits its turn. So a request that may change state (not GET, HEAD or OPTIONS) takes the
  write lock at its first query (begin_writes_immediately).
- Holding the lock for the whole request queues every writer behind the slowest. Views whose
  work is mostly reading (posting a comment renders Markdown and may ask Akismet for seconds,
  every page view resumes the reader's session) are marked writes_late: they read as readers
  and call begin_writing() where they start writing, which ends the reading transaction and
  begins an immediate one. A write outside a request (a background job) calls
  take_write_lock() before its first read.
- commit_keeping_loaded() commits without expiring what the session holds, for a request that
  goes on answering with what it has just read or written; write_apart() writes one statement
  in a transaction of its own in the middle of a request that only reads.
- after_commit(action) runs an action once the session's transaction has committed, and drops
  it if the transaction rolls back: comment events, avatar fetches. SQLAlchemy's own
  "after_commit" also fires when a savepoint inside the transaction is released, which is
  not yet a commit of anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import Executable

from .extensions import db

F = TypeVar("F", bound=Callable[..., Any])

_IMMEDIATE = "sqlite_immediate"  # the execution option the begin listener reads
_WAITING = "widget.transactions.waiting"  # actions for when the open transaction commits
_DUE = "widget.transactions.due"  # ... which has committed: to be run
log = logging.getLogger(__name__)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
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
        immediate = conn.get_execution_options().get(_IMMEDIATE)
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
            take_write_lock()


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
        if session.connection().get_execution_options().get(_IMMEDIATE):
            return
        if _unfinished(session):
            return  # (a caller's own unfinished work: not ours to commit)
        commit_keeping_loaded()
    take_write_lock()


def take_write_lock() -> None:
    """On SQLite, the write lock for the transaction that begins now, in a request or not
    (nothing on PostgreSQL). Call it before the first read of a transaction that will write."""
    db.session.connection(execution_options={_IMMEDIATE: True})


def commit_keeping_loaded() -> None:
    """Commits, and keeps what the session holds as it is now instead of reading every row
    again at its next use: for a request that goes on with what it has just read or written."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def write_apart(statement: Executable) -> bool:
    """Runs one write in a transaction of its own, between what the request read before and
    what it does after (a writing request gets its write lock back); False, and nothing
    written, when the session holds a caller's unfinished work, which is not ours to commit."""
    if _unfinished(db.session()):
        return False
    commit_keeping_loaded()  # ends the reading transaction: a write after a read could fail
    db.session.execute(statement)
    commit_keeping_loaded()
    begin_writing()
    return True


def _unfinished(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted)


def _writes_to_sqlite() -> bool:
    return request.method not in ("GET", "HEAD", "OPTIONS") and db.engine.dialect.name == "sqlite"


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the current transaction of db.session has committed (not when a
    savepoint inside it is released); forget it if the transaction rolls back. It runs after
    the commit, where the session may query again; what it raises is logged and goes no further.
    """
    db.session.info.setdefault(_WAITING, []).append(action)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.in_nested_transaction() and _WAITING in session.info:
        session.info.setdefault(_DUE, []).extend(session.info.pop(_WAITING))


@event.listens_for(Session, "after_transaction_end")
def _run_due(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint's end: the transaction around it goes on
    session.info.pop(_WAITING, None)  # what a transaction that did not commit asked for
    # Run here rather than in "after_commit", where the session could run no query.
    for action in session.info.pop(_DUE, ()):
        try:
            action()
        except Exception:
            log.exception("an action after commit failed: %r", action)
