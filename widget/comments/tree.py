"""Threads as trees: where a reply hangs, and comments laid out in reading order with their
nesting. Both walk the tree with loops, never recursion, so no stored depth (an old database,
an import) can exhaust the stack of the page that shows it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Comment, Status


@dataclass(frozen=True, slots=True)
class Row:
    """One comment where a page shows it: how deep it is drawn, and whether the rows after it
    are nested in it (`opens`) or how many levels end with it (`closes`)."""

    comment: Comment
    depth: int
    opens: bool
    closes: int


def arrange(tops: Iterable[Comment], replies: Iterable[Comment], deepest: int) -> list[Row]:
    """Top-level comments in their order, each followed by its replies (oldest first, as given),
    drawn no deeper than `deepest` (0 is the top level): past it, replies follow their parent
    at its level, as WordPress shows them. A reply whose parent is not given is left out."""
    below: dict[int, list[Comment]] = {}
    for reply in replies:
        if reply.parent_id is not None:
            below.setdefault(reply.parent_id, []).append(reply)
    shown: list[tuple[Comment, int]] = []
    stack = [(top, 0) for top in reversed(list(tops))]
    while stack:  # each comment has one parent, so each is reached once, and a cycle never
        comment, depth = stack.pop()
        shown.append((comment, depth))
        level = min(depth + 1, deepest)
        stack.extend((reply, level) for reply in reversed(below.get(comment.id, ())))
    rows = []
    for i, (comment, depth) in enumerate(shown):
        after = shown[i + 1][1] if i + 1 < len(shown) else 0
        rows.append(Row(comment, depth, after > depth, max(depth - after, 0)))
    return rows


_ABOVE = aliased(Comment, name="above")  # made once: an alias costs more than a query


def ancestry(thread_id: int, comment_id: int, *, published: bool = True) -> list[int]:
    """A comment of the thread (a published one, unless `published` is False) and the comments
    above it, the top-level one first; [] if there is no such comment. One query, however deep
    it is."""
    start = select(Comment.id, Comment.parent_id).where(
        Comment.id == comment_id, Comment.thread_id == thread_id
    )
    if published:
        start = start.where(Comment.status == Status.PUBLISHED.value)
    chain = start.cte("chain", recursive=True)
    # UNION, not UNION ALL: a row seen once is not walked again, so even a cycle ends.
    chain = chain.union(
        select(_ABOVE.id, _ABOVE.parent_id).join(chain, _ABOVE.id == chain.c.parent_id)
    )
    parents = dict(db.session.execute(select(chain.c.id, chain.c.parent_id)).all())
    if comment_id not in parents:
        return []
    path = [comment_id]
    while (up := parents.get(path[-1])) is not None and up in parents and len(path) <= len(parents):
        path.append(up)
    return path[::-1]


def hang_from(chain: list[int], levels: int) -> int | None:
    """Where a reply to the last comment of `chain` (from `ancestry`) goes in a thread nested
    `levels` deep: under it, or where that is too deep, under the deepest ancestor a reply may
    still hang from, as WordPress's "thread comments N levels deep"; with one level, nowhere."""
    if len(chain) < levels:
        return chain[-1]
    return chain[levels - 2] if levels > 1 else None
