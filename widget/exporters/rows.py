"""What every export reads: a site's threads and each thread's comments of every status,
streamed a thread at a time so that memory does not grow with the site."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, CommentSource, Site, Thread

THREADS_PER_QUERY = 200


def threads_of(site: Site) -> Iterator[Thread]:
    """The site's threads, oldest first, fetched a page at a time (keyset on the id)."""
    after = 0
    while True:
        page = db.session.scalars(
            select(Thread)
            .where(Thread.site_id == site.id, Thread.id > after)
            .order_by(Thread.id)
            .limit(THREADS_PER_QUERY)
        ).all()
        if not page:
            return
        yield from page
        after = page[-1].id


def comments_of(thread: Thread) -> list[Comment]:
    """Every comment of the thread whatever its status, oldest first: a parent is always
    before its replies (a reply cannot be older than what it answers)."""
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.thread_id == thread.id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def sources_of(comments: list[Comment]) -> dict[int, tuple[str, str]]:
    """For the imported ones among `comments`: (source, the source's id), by comment id."""
    if not comments:
        return {}
    rows = db.session.execute(
        select(CommentSource.comment_id, CommentSource.source, CommentSource.source_key).where(
            CommentSource.comment_id.in_([c.id for c in comments])
        )
    )
    return {row.comment_id: (row.source, row.source_key) for row in rows}
