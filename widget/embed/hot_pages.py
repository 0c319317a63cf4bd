"""Thread pages answered from memory, in front of Flask: the hot path of every embed.

Every reader of an article asks for the iframe's page with the same query string, and gets the
same bytes. So each process keeps the answers it gave last (up to WIDGET_HOT_CACHE_MB), and
gives one again, as a 200 or a 304, while the database still holds the versions it was rendered
from. That is checked on every request, so a change made through any worker or server shows at
once: on SQLite by the database's change counter (`PRAGMA data_version`, which moves at every
commit by any connection), and only when it moved by the versions themselves; on other
databases by one indexed query. A miss, or anything but a plain GET of the thread page, goes to
the app, and an answer the view stamped (see `stamp`) is kept if its versions still hold. How
this layer sits with the others: the package's docstring (widget/embed/__init__.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import Table
from sqlalchemy.engine import Engine
from werkzeug.http import parse_etags, unquote_etag

from .. import assets
from ..extensions import db
from ..models import Site, Thread

PATH = "/embed/thread"
EXTENSION = "widget.hot_pages"
# A 304 repeats what the 200 said about the page, not about its body.
BODY_HEADERS = {"content-type", "content-length", "content-encoding"}
ENTRY_OVERHEAD = 2048  # bytes: the headers and the bookkeeping of one kept answer

Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Stamp:
    """What a thread page was rendered from: the versions that must still hold to reuse it."""

    site_key: str
    url_key: str
    versions: tuple[int, int | None, int | None]  # site version, thread id, thread version
    build: str  # the templates' and static files' build (a deploy is a new page)

    @classmethod
    def of(cls, site: Site, url_key: str, thread: Thread | None) -> Stamp:
        """The stamp of a page of `site` at `url_key`, which may have no thread yet."""
        versions = (
            (site.version, thread.id, thread.version) if thread else (site.version, None, None)
        )
        return cls(site.key, url_key, versions, assets.build_id())


@dataclass
class _Forwarded:
    """A request the hot pages passed on to the app, and what its view said it rendered."""

    stamp: Stamp | None = None


# Set by HotPages for the one request it is passing on, and reset when the app has answered;
# unset (None) for every other request, so that nothing stamped can outlive its request.
_forwarded: ContextVar[_Forwarded | None] = ContextVar("hot_pages_forwarded", default=None)


def stamp(page: Stamp) -> None:
    """Called by the thread view: this answer may be kept and given again while `page`'s
    versions hold. Does nothing when the hot pages are off or did not forward this request."""
    forwarded = _forwarded.get()
    if forwarded is not None:
        forwarded.stamp = page


@dataclass
class Entry:
    stamp: Stamp
    etag: str  # the ETag header as sent
    headers: Headers  # of the 200
    not_modified: Headers  # of a 304
    body: bytes | None  # None when only a 304 has been seen yet
    seen: tuple[int, int] | None  # (connection, data_version) at which the versions last held


class Versions:
    """One connection per process, outside the app's pool, that reads the current versions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        site, thread = Site.__table__, Thread.__table__
        assert isinstance(site, Table) and isinstance(thread, Table)
        mark = ":{}" if self._sqlite else "%({})s"  # the driver's parameter style
        self._sql = (
            f"SELECT s.version, t.id, t.version FROM {site.name} s "
            f"LEFT JOIN {thread.name} t ON t.site_id = s.id AND t.url_key = {mark.format('url')} "
            f"WHERE s.key = {mark.format('key')}"
        )
        self._lock = threading.Lock()
        self._connection: Any = None
        self._inherited: list[Any] = []
        self._opened_in = 0  # the process that opened it: a forked worker opens its own
        self._generation = 0  # data_version values compare only within one connection

    def hold(self, page: Stamp, seen: tuple[int, int] | None) -> tuple[bool, Any]:
        """Whether the page's versions are still the database's, and where in its commits that
        was seen. Unchanged since `seen` (SQLite) needs no query. A database that cannot be
        asked is a no, never a stale page."""
        with self._lock:
            try:
                connection = self._open()
                counter = self._counter(connection) if self._sqlite else None
                if counter is not None and counter == seen:
                    return True, counter
                current = self._read(connection, page)  # (read after the counter it is kept at)
            except Exception:
                self._close()
                return False, None
        return current == page.versions, counter

    def close(self) -> None:
        with self._lock:
            self._close()

    def _counter(self, connection: Any) -> tuple[int, int]:
        return (self._generation, connection.execute("PRAGMA data_version").fetchone()[0])

    def _read(self, connection: Any, page: Stamp) -> tuple[Any, ...] | None:
        cursor = connection.cursor()
        try:
            cursor.execute(self._sql, {"key": page.site_key, "url": page.url_key})
            row = cursor.fetchone()
        finally:
            cursor.close()
        return tuple(row) if row is not None else None

    def _open(self) -> Any:
        if self._connection is not None and self._opened_in == os.getpid():
            return self._connection
        if self._connection is not None:  # a parent's, from before a fork: never used here,
            self._inherited.append(self._connection)  # nor closed (that would close the parent's)
        self._connection = None
        proxied = self._engine.raw_connection()
        proxied.detach()  # ours for good; the app's pool keeps its size
        connection = proxied.dbapi_connection
        if connection is None:  # invalidated on its way out of the pool: a miss this time
            raise ConnectionError("the pool gave no database connection")
        if not self._sqlite:  # (SQLite's is in autocommit already: extensions._tune_sqlite)
            connection.rollback()
            connection.autocommit = True  # each read sees the latest commit; no idle transaction
        self._connection, self._opened_in = connection, os.getpid()
        self._generation += 1
        return connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and self._opened_in == os.getpid():
            with contextlib.suppress(Exception):  # already broken: nothing left to close
                connection.close()


class HotPages:
    """WSGI middleware: repeated GETs of the thread page from memory, checked as above."""

    def __init__(self, app: WSGIApp, versions: Versions, max_bytes: int) -> None:
        self._app = app
        self._versions = versions
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[bool, str], Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return self._app(environ, start_response)
        key = ("gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""), environ.get("QUERY_STRING", ""))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None and entry.stamp.build == assets.build_id():
            held, seen = self._versions.hold(entry.stamp, entry.seen)
            if held:
                entry.seen = seen
                asked = environ.get("HTTP_IF_NONE_MATCH")
                if asked is not None and _matches(asked, entry):
                    start_response("304 NOT MODIFIED", entry.not_modified)
                    return []
                if entry.body is not None:
                    start_response("200 OK", entry.headers)
                    return [entry.body]
            else:
                self._forget(key)
        return self._fill(key, environ, start_response)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """The memory the kept answers take, roughly: what WIDGET_HOT_CACHE_MB bounds."""
        return self._bytes

    def close(self) -> None:
        """Forgets every page and closes the connection (an app's tests end, say)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        self._versions.close()

    def _fill(self, key: tuple[bool, str], environ: dict[str, Any],
              start_response: StartResponse) -> Iterable[bytes]:  # fmt: skip
        answered: list[Any] = []

        def start(status: str, headers: Headers, exc_info: Any = None) -> Any:
            answered[:] = [status, headers]
            return start_response(status, headers, exc_info)

        forwarded = _Forwarded()
        token = _forwarded.set(forwarded)
        try:
            body = self._app(environ, start)  # the view runs here, and may stamp its answer
        finally:
            _forwarded.reset(token)
        page = forwarded.stamp
        if page is None or not answered or answered[0][:3] not in ("200", "304"):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        status, headers = answered
        names = {name.lower() for name, _ in headers}
        # An answer for one reader (a cookie) is never given to another; and a page is kept
        # only if what it was rendered from is what the database holds now (the view's session
        # may have read an older snapshot).
        if "set-cookie" not in names and "etag" in names:
            held, seen = self._versions.hold(page, None)
            if held:
                self._keep(key, page, status, headers, content, seen)
        return [content]

    def _keep(self, key: tuple[bool, str], page: Stamp, status: str, headers: Headers,
              content: bytes, seen: tuple[int, int] | None) -> None:  # fmt: skip
        etag = next(value for name, value in headers if name.lower() == "etag")
        not_modified = [(n, v) for n, v in headers if n.lower() not in BODY_HEADERS]
        full = status.startswith("200")
        with self._lock:
            old = self._entries.get(key)
            if not full and old is not None and old.etag == etag:
                return  # a 304 of a page already kept with its body
            entry = Entry(page, etag, headers if full else [], not_modified,
                          content if full else None, seen)  # fmt: skip
            if old is not None:
                self._bytes -= _cost(key, old)
            self._entries[key] = entry
            self._entries.move_to_end(key)
            self._bytes += _cost(key, entry)
            while self._bytes > self._max_bytes and self._entries:
                evicted = self._entries.popitem(last=False)
                self._bytes -= _cost(*evicted)

    def _forget(self, key: tuple[bool, str]) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= _cost(key, old)


def _cost(key: tuple[bool, str], entry: Entry) -> int:
    """Memory an entry takes, roughly: a page's body, and for every entry its query string and
    headers (so that many body-less 304 entries are bounded too)."""
    return len(entry.body or b"") + len(key[1]) + ENTRY_OVERHEAD


def _matches(asked: str, entry: Entry) -> bool:
    """If-None-Match against our weak ETag: the header as we sent it, or any list naming it."""
    return asked == entry.etag or parse_etags(asked).contains_weak(unquote_etag(entry.etag)[0])


def init_app(app: Flask) -> None:
    """Puts the hot path in front of the app, unless turned off or the database lives only in
    this process's memory (another connection would see another database)."""
    megabytes = app.config["WIDGET_HOT_CACHE_MB"]
    with app.app_context():
        engine = db.engine
    if megabytes <= 0 or (engine.dialect.name == "sqlite" and engine.url.database in
                          (None, "", ":memory:")):  # fmt: skip
        return
    middleware = HotPages(app.wsgi_app, Versions(engine), int(megabytes * 1024 * 1024))
    app.wsgi_app = middleware  # type: ignore[method-assign]
    app.extensions[EXTENSION] = middleware
