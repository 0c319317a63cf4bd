"""The feeds blueprint: parse, find what the feed shows, answer it validated and cached as the
thread pages are (the package's docstring)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, current_app, request, url_for
from werkzeug.http import http_date, is_resource_modified
from werkzeug.wrappers import Response

from ..embed.page_cache import pages
from ..errors import Rejected
from . import atom, entries

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@bp.errorhandler(Rejected)
def _rejected(error: Rejected) -> Response:
    return Response(error.message + "\n", status=error.status,
                    content_type="text/plain; charset=utf-8")  # fmt: skip


@bp.get("/<site_key>.atom")
def site(site_key: str) -> Response:
    """The site's newest published comments: two queries (the site, the comments), and the
    ETag names exactly what they show."""
    found = entries.locate_site(site_key)
    comments = entries.site_comments(found)
    shown = ",".join(f"{c.id}:{c.thread.id}.{c.thread.version}" for c in comments)
    etag = f"s{found.id}.{found.version}.{hashlib.sha256(shown.encode()).hexdigest()[:16]}"
    self_url = _public(url_for("feeds.site", site_key=found.key))
    return _answer(
        etag,
        atom.newest(comments, found.created_at),
        lambda: atom.site_feed(found, comments, service=_service(), self_url=self_url),
    )


@bp.get("/<site_key>/thread.atom")
def thread(site_key: str) -> Response:
    """A thread's newest published comments. Its ETag is the thread's and site's versions, so
    a current reader's copy costs one query; a new feed, one more."""
    found = entries.locate_thread(site_key, request.args.get("url"))
    head, page = found.site, found.thread
    etag = f"t{page.id}.{page.version}.s{head.id}.{head.version}"
    self_url = _public(url_for("feeds.thread", site_key=head.key, url=page.url))

    def write() -> bytes:  # only on a miss: a current copy never reads the comments
        comments = entries.thread_comments(page)
        return atom.thread_feed(head, page, comments, service=_service(), self_url=self_url)

    return _answer(etag, page.last_comment_at or page.created_at, write)


def _answer(versions: str, last_modified: datetime, write: Callable[[], bytes]) -> Response:
    """A 304 when the reader's copy is current (If-None-Match, or If-Modified-Since without
    it), else the feed from the page cache, written on a miss."""
    # The service's address is in every id and link: a new one is a new feed.
    where = hashlib.sha256(_service().encode()).hexdigest()[:8]
    etag = f"feed.{atom.FORMAT}.{where}.{versions}"
    headers = {
        "ETag": f'W/"{etag}"',
        "Last-Modified": http_date(last_modified),
        "Cache-Control": "no-cache",  # revalidate every time, as thread pages: a new comment shows
        "Vary": "Accept-Encoding",
    }
    if not is_resource_modified(request.environ, etag=f'W/"{etag}"', last_modified=last_modified):
        return Response(status=304, headers=headers)
    compressed = pages().get(etag)
    if compressed is None:
        compressed = gzip.compress(write(), compresslevel=6)
        pages().set(etag, compressed)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(compressed, headers=headers | {"Content-Encoding": "gzip"},
                        content_type=CONTENT_TYPE)  # fmt: skip
    return Response(gzip.decompress(compressed), headers=headers, content_type=CONTENT_TYPE)


def _service() -> str:
    return str(current_app.config["WIDGET_PUBLIC_URL"])


def _public(path: str) -> str:
    return _service() + path
