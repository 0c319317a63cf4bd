"""The dashboard's lists: a site's threads, its moderation queue and its spam, a page at a time.

A page costs the same few queries however many threads a site has: one count, one page of
rows, and one grouped count of what is pending on that page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Comment, Site, Status, Thread

PAGE_SIZE = 50
SORTS = ("activity", "count")
T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    items: list[T]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    pending: int


def page_number(value: object) -> int:
    try:
        return max(1, min(int(str(value)), 10**6))
    except ValueError:
        return 1


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def threads(
    site: Site, *, sort: str = "activity", search: str = "", page: int = 1
) -> Paged[ThreadRow]:
    """A page of the site's threads, busiest or latest first, with their pending counts."""
    where = [Thread.site_id == site.id]
    search = search.replace("\x00", "").strip()[:200]
    if search:
        pattern = _like(search)
        where.append(
            or_(Thread.url.ilike(pattern, escape="\\"), Thread.title.ilike(pattern, escape="\\"))
        )
    total = db.session.scalar(select(func.count(Thread.id)).where(*where)) or 0
    order: tuple[ColumnElement[Any], ...]
    if sort == "count":
        order = (Thread.published_count.desc(), Thread.id.desc())
    else:
        order = (Thread.last_comment_at.desc().nulls_last(), Thread.id.desc())
    rows = db.session.scalars(
        select(Thread)
        .where(*where)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    pending = pending_by_thread([t.id for t in rows])
    return Paged([ThreadRow(t, pending.get(t.id, 0)) for t in rows], page, total)


def pending_by_thread(thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    return dict(
        db.session.execute(
            select(Comment.thread_id, func.count(Comment.id))
            .where(Comment.thread_id.in_(thread_ids), Comment.status == Status.PENDING.value)
            .group_by(Comment.thread_id)
        ).all()
    )


def _held(site: Site, status: str) -> Select[Comment]:
    return (
        select(Comment)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.site_id == site.id, Comment.status == status)
    )


def queue(site: Site, page: int = 1) -> Paged[Comment]:
    """Everything held for approval on the site, newest first."""
    return _held_page(site, Status.PENDING.value, page)


def spam(site: Site, page: int = 1) -> Paged[Comment]:
    """Everything the spam checks (or an owner) held as spam on the site, newest first."""
    return _held_page(site, Status.SPAM.value, page)


def _held_page(site: Site, status: str, page: int) -> Paged[Comment]:
    total = held_counts(site).get(status, 0)
    items = db.session.scalars(
        _held(site, status)
        .options(contains_eager(Comment.thread))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return Paged(list(items), page, total)


def held_counts(site: Site) -> dict[str, int]:
    """How many comments of the site are pending and spam, in one query (for the nav)."""
    held = (Status.PENDING.value, Status.SPAM.value)
    return dict(
        db.session.execute(
            select(Comment.status, func.count(Comment.id))
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.site_id == site.id, Comment.status.in_(held))
            .group_by(Comment.status)
        ).all()
    )


def pending_by_site(site_ids: list[int]) -> dict[int, int]:
    if not site_ids:
        return {}
    return dict(
        db.session.execute(
            select(Thread.site_id, func.count(Comment.id))
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.site_id.in_(site_ids), Comment.status == Status.PENDING.value)
            .group_by(Thread.site_id)
        ).all()
    )
