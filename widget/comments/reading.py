"""Reading threads: a page of a thread as readers see it (published comments, and placeholders
where a hidden comment has published replies), and a whole thread as its owner sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import aliased, defer, joinedload

from ..extensions import db
from ..models import Comment, Site, Status, Thread
from ..sites import check_page_url, get_site
from . import tree, validation

# What readers never see: a writer's email and secrets, and why a comment was held (no hint to
# whoever tries to get past the rules).
PRIVATE_COLUMNS = (Comment.body, Comment.author_email, Comment.edit_key_hash, Comment.ip_hash,
                   Comment.status_reason)  # fmt: skip
SORTS = {"oldest", "newest"}
PUBLISHED = Status.PUBLISHED.value


@dataclass(frozen=True)
class ThreadHead:
    """A page's site and thread (if it has one yet), before any comment is read."""

    site: Site
    url: str
    title: str
    thread: Thread | None
    url_key: str  # the page URL as threads are keyed by it


@dataclass(frozen=True)
class ThreadPage:
    site: Site
    url: str
    title: str
    thread: Thread | None
    rows: list[tree.Row]  # in reading order, each with its nesting
    page: int = 1
    sort: str = "oldest"
    has_more: bool = False
    # Where the next page starts: the (created_at, id) of this page's last top-level comment.
    resume_after: tuple[datetime, int] | None = None

    @property
    def count(self) -> int:
        return self.thread.published_count if self.thread else 0


def locate_thread(site_key: object, url: object, title: object = "") -> ThreadHead:
    site = get_site(site_key)
    page_url = validation.page_url(url)
    check_page_url(site, page_url)
    page_title = validation.page_title(title)
    thread = db.session.scalar(
        select(Thread).where(Thread.site_id == site.id, Thread.url_key == page_url)
    )
    return ThreadHead(
        site=site,
        url=thread.url if thread else page_url,
        # The page's own claim, until a thread exists: then only its stored title, which the
        # cached page (keyed by the thread, not the query) may show to everyone.
        title=thread.title if thread else page_title,
        thread=thread,
        url_key=page_url,
    )


def read_thread(site_key: object, url: object, *, after: tuple[datetime, int] | None = None,
                size: int | None = None) -> ThreadPage:  # fmt: skip
    """A page of a thread's top-level comments with all their replies, oldest first, from just
    after `after` (a previous page's `resume_after`): two queries, however long it is."""
    return read_comments(locate_thread(site_key, url), after=after, size=size)


def read_comments(head: ThreadHead, page: int = 1, sort: str = "oldest", *,
                  after: tuple[datetime, int] | None = None,
                  size: int | None = None) -> ThreadPage:  # fmt: skip
    """One page of top-level comments with all their replies: two queries, and no more rows
    than it shows, however big the thread. Pages are numbered, or start `after` a comment.

    Every published comment is shown, so the thread's count is what readers see: one whose
    parent was deleted, held or marked as spam hangs from a placeholder of it."""
    rows: list[tree.Row] = []
    has_more = False
    resume_after = None
    if head.thread is not None:
        size = size or current_app.config["WIDGET_THREAD_PAGE_SIZE"]
        newest = sort == "newest"
        order = (
            (Comment.created_at.desc(), Comment.id.desc())
            if newest
            else (Comment.created_at.asc(), Comment.id.asc())
        )
        query = (
            _read(head.thread)
            .where(Comment.parent_id.is_(None), SHOWN_TOPS)
            .order_by(*order)
            .limit(size + 1)
        )
        if after is not None:
            query = query.where(_beyond(after, newest))
        else:
            query = query.offset((page - 1) * size)
        top = list(db.session.scalars(query))
        has_more = len(top) > size
        top = top[:size]
        replies = db.session.scalars(
            _read(head.thread)
            .where(Comment.root_id.in_(bindparam("tops", expanding=True)), SHOWN_REPLIES)
            .order_by(Comment.created_at, Comment.id),
            {"tops": [c.id for c in top]},
        ).all()
        rows = tree.arrange(top, replies, head.site.reply_depth - 1)
        if has_more:
            resume_after = (top[-1].created_at, top[-1].id)
    return ThreadPage(site=head.site, url=head.url, title=head.title, thread=head.thread,
                      rows=rows, page=page, sort=sort, has_more=has_more,
                      resume_after=resume_after)  # fmt: skip


def thread_rows(thread: Thread) -> list[tree.Row]:
    """Every comment of a thread, whatever its status, oldest first with each reply after its
    parent, drawn as deep as the site nests its threads: the thread as its owner sees it."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.thread_id == thread.id)
        .order_by(Comment.created_at, Comment.id)
        .options(joinedload(Comment.user))
    ).all()
    tops = [c for c in comments if c.parent_id is None]
    return tree.arrange(tops, comments, thread.site.reply_depth - 1)


def _read(thread: Thread) -> Select[Comment]:
    return (
        select(Comment)
        .where(Comment.thread_id == thread.id)
        # What readers never see is not read; touching it raises instead of querying.
        .options(*(defer(c, raiseload=True) for c in PRIVATE_COLUMNS))
        .options(joinedload(Comment.user))
    )


def _shown_or_above_shown() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Published comments, and those not published with a published reply below them (read
    only to stand as its placeholder): (of top-level comments, of the replies under the
    top-level comments given as the `tops` parameter). Only a comment that is not published
    needs the second half of each, which is where a thread's few hidden comments are found."""
    published = Comment.status == PUBLISHED
    below, reply, parent = (aliased(Comment, name=n) for n in ("below", "reply", "parent"))
    tops = or_(published, exists().where(below.root_id == Comment.id, below.status == PUBLISHED))
    # The parents of published replies, and up from each through what is not published.
    above = (
        select(reply.parent_id.label("id"))
        .where(reply.root_id.in_(bindparam("tops", expanding=True)), reply.status == PUBLISHED)
        .cte("above_shown", recursive=True)
    )
    above = above.union(
        select(parent.parent_id).join(above, parent.id == above.c.id)
        .where(parent.status != PUBLISHED, parent.parent_id.is_not(None))
    )  # fmt: skip
    return tops, or_(published, Comment.id.in_(select(above.c.id)))


# Built once: aliases and a recursive CTE cost more to make than the query they go in.
SHOWN_TOPS, SHOWN_REPLIES = _shown_or_above_shown()


def _beyond(after: tuple[datetime, int], newest: bool) -> ColumnElement[bool]:
    """Top-level comments past (created_at, id) in the page's order: a keyset, not an offset."""
    moment, comment_id = after
    if newest:
        return or_(Comment.created_at < moment,
                   and_(Comment.created_at == moment, Comment.id < comment_id))  # fmt: skip
    return or_(Comment.created_at > moment,
               and_(Comment.created_at == moment, Comment.id > comment_id))  # fmt: skip
