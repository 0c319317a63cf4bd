"""What a feed shows: published comments only, newest first, read without their writers'
emails or anything else readers never see (comments/reading.py's PRIVATE_COLUMNS)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import contains_eager, defer, joinedload

from ..comments import validation
from ..comments.reading import PRIVATE_COLUMNS, PUBLISHED
from ..errors import Rejected
from ..extensions import db
from ..models import Comment, Site, Thread
from ..sites import no_such_site, site_named
from ..urls import origin_of

SIZE = 50  # entries in a feed: what readers poll for, not an archive


@dataclass(frozen=True)
class ThreadFeed:
    site: Site
    thread: Thread


def locate_thread(site_key: object, url: object) -> ThreadFeed:
    """The site and the thread of a page, in one query; a 404 Rejected for an unknown site,
    a page not on the site's origins, or a page nobody has commented on."""
    page_url = validation.page_url(url)
    query = (
        site_named(site_key)
        .add_columns(Thread)
        .outerjoin(Thread, and_(Thread.site_id == Site.id, Thread.url_key == page_url))
    )
    row = db.session.execute(query).unique().first()
    if row is None:
        raise no_such_site()
    site, thread = row
    if origin_of(page_url) not in site.origin_list:
        raise Rejected("url", "That page is not on one of this site's origins.",
                       code="origin_not_allowed", status=404)  # fmt: skip
    if thread is None:
        raise Rejected("url", "That page has no comments yet, so no feed.",
                       code="unknown_thread", status=404)  # fmt: skip
    return ThreadFeed(site, thread)


def locate_site(site_key: object) -> Site:
    """The site a key names, with its origins, in one query; a 404 Rejected if none."""
    site = db.session.scalars(site_named(site_key)).unique().first()
    if site is None:
        raise no_such_site()
    return site


def thread_comments(thread: Thread) -> list[Comment]:
    """The thread's newest published comments, with their signed-in authors: one query (each
    comment's thread is the one given, found in the session, not asked for again)."""
    return list(db.session.scalars(_published().where(Comment.thread_id == thread.id)).unique())


def site_comments(site: Site) -> list[Comment]:
    """The site's newest published comments across its threads, each with its thread and
    signed-in author: one query."""
    query = (
        _published()
        .join(Comment.thread)
        .where(Thread.site_id == site.id)
        .options(contains_eager(Comment.thread))
    )
    return list(db.session.scalars(query).unique())


def _published() -> Select[Comment]:
    return (
        select(Comment)
        .where(Comment.status == PUBLISHED)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(SIZE)
        # What readers never see is not read; touching it raises instead of querying.
        .options(*(defer(c, raiseload=True) for c in PRIVATE_COLUMNS))
        .options(joinedload(Comment.user))
    )
