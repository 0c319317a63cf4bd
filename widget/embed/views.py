"""The iframe: a page's thread as server-rendered HTML, visible before any script runs. How its
answers are cached and validated: the package's docstring."""

from __future__ import annotations

import gzip
import hashlib

from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response

from .. import assets, mail
from ..auth import registry
from ..comments import reading
from ..errors import Rejected
from ..headers import page_csp
from . import hot_pages
from .page_cache import pages

bp = Blueprint("embed", __name__, url_prefix="/embed")

THEMES = {"light", "dark", "auto"}


def thread_csp(origins: list[str]) -> str:
    """Only the site's own pages may frame its thread; nothing inline may run."""
    return page_csp(origins)  # each origin judged alone: a stored one may hold a space


@bp.errorhandler(Rejected)
def _rejected(error: Rejected) -> tuple[str, int]:
    return render_template("embed/error.html", error=error), error.status


@bp.get("/thread")
def thread() -> Response:
    """The thread page, the same for every reader: cached per thread and site version, and
    answered 304 when the reader's copy is current (per-reader bits come from thread.js)."""
    args = request.args
    head = reading.locate_thread(args.get("site"), args.get("url"), args.get("title", ""))
    # The snippet's light or dark wins; otherwise the site's default from the dashboard.
    theme = args.get("theme", "")
    theme = theme if theme in ("light", "dark") else head.site.theme
    theme = theme if theme in THEMES else "auto"
    sort = args.get("sort", "")
    sort = sort if sort in reading.SORTS else "oldest"
    page = args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 100_000)
    fragment = args.get("fragment") == "1"  # "load more": only the next page's comments
    etag = f"{page_etag(head, theme)}.{sort}.p{page}{'.f' if fragment else ''}"
    headers = {
        "ETag": f'W/"{etag}"',
        "Cache-Control": "no-cache",  # revalidate every time: a new comment shows at once
        "Vary": "Accept-Encoding",
        "Content-Security-Policy": thread_csp(head.site.origin_list),
    }
    hot_pages.stamp(hot_pages.Stamp.of(head.site, head.url_key, head.thread))
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    compressed = pages().get(etag)
    if compressed is None:
        html = render_page(head, theme, page, sort, fragment)
        compressed = gzip.compress(html.encode(), compresslevel=6)
        pages().set(etag, compressed)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(compressed, headers=headers | {"Content-Encoding": "gzip"},
                        content_type="text/html; charset=utf-8")  # fmt: skip
    return Response(gzip.decompress(compressed), headers=headers,
                    content_type="text/html; charset=utf-8")  # fmt: skip


def page_etag(head: reading.ThreadHead, theme: str) -> str:
    """Names one rendering of the page: what it shows, in which theme, by which code."""
    if head.thread is not None:
        shown = f"t{head.thread.id}.{head.thread.version}"
    else:  # a page nobody has commented on yet: its URL and title are all there is
        shown = "n" + hashlib.sha256(f"{head.url}\n{head.title}".encode()).hexdigest()[:16]
    return f"{shown}.s{head.site.id}.{head.site.version}.{theme}.{assets.build_id()}"


def render_page(head: reading.ThreadHead, theme: str, number: int, sort: str,
                fragment: bool) -> str:  # fmt: skip
    page = reading.read_comments(head, number, sort)
    return render_template(
        "embed/more.html" if fragment else "embed/thread.html",
        page=page,
        theme=theme,
        providers=registry.offered(page.site),
        max_chars=current_app.config["WIDGET_MAX_BODY_CHARS"],
        reply_emails=mail.configured(),
    )
