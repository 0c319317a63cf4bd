"""Posting and reading comments: every rule about them lives here."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, defer, joinedload

from .. import spam
from ..blocks import REFUSED_MESSAGE, find_block, ip_digest
from ..digests import secret_hash
from ..errors import Rejected
from ..extensions import db
from ..models import Block, Comment, Identity, Moderation, Site, Status, Thread, utcnow
from ..sites import check_page_url, get_site
from ..text import count_links, render_markdown
from ..transactions import begin_writing, commit_keeping_loaded
from . import tree, validation

PRIVATE_COLUMNS = (Comment.body, Comment.author_email, Comment.edit_key_hash, Comment.ip_hash)


@dataclass(frozen=True)
class NewComment:
    """What a guest sends to post a comment, not yet checked."""

    site: Any
    url: Any
    body: Any
    author_name: Any
    author_email: Any
    author_url: Any = ""
    title: Any = ""
    parent_id: Any = None


@dataclass(frozen=True)
class Posted:
    comment: Comment
    edit_key: str  # shown once to the guest; only its hash is kept


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


def post_comment(
    new: NewComment,
    viewer: Identity | None = None,
    ip: str | None = None,
    submission: spam.Submission | None = None,
) -> Posted:
    """Check and store a comment, a guest's or a signed-in reader's (`viewer`), posted from
    `ip`: published at once, held by the site's rules, or refused if the owner blocked them."""
    site = get_site(new.site)
    url = validation.page_url(new.url)
    check_page_url(site, url)
    body = validation.body(new.body, current_app.config["WIDGET_MAX_BODY_CHARS"])
    if viewer is not None:
        # Who they are comes from their provider, not from the form.
        name, email, website = viewer.user.name, viewer.email, viewer.user.profile_url
    elif not site.guests_allowed:
        raise Rejected(
            None, "This site asks you to sign in to comment.", code="sign_in_required", status=403
        )
    else:
        name = validation.author_name(new.author_name)
        email = validation.author_email(new.author_email)
        website = validation.author_url(new.author_url)
    title = validation.page_title(new.title)
    parent_id = validation.parent_id(new.parent_id)
    html = render_markdown(body)
    ip_hash = ip_digest(ip)
    block = find_block(
        site, email=email, user_id=viewer.user_id if viewer else None, ip_hash=ip_hash
    )
    if block is not None and block.action == "refuse":
        raise Rejected(None, REFUSED_MESSAGE, code="blocked", status=403)
    held = None
    if viewer is None and submission is not None:
        # The widget form's checks (Akismet's may take seconds), before anything is written.
        held = spam.verdict(site, submission, name=name, email=email, website=website,
                            body=body, page_url=url)  # fmt: skip

    begin_writing()
    try:
        thread = _thread_for(site, url, title)
        if parent_id is not None:
            parent_id = _parent_for(thread, parent_id, site.reply_depth)
        status = _status_for(site, email, body, html, viewer, block)
        # What fails the form's checks waits for the owner, as pending or spam.
        if held == Status.SPAM.value or (held and status == Status.PUBLISHED.value):
            status = held
        edit_key = secrets.token_urlsafe(24)
        comment = Comment(
            thread=thread,
            parent_id=parent_id,
            user_id=viewer.user_id if viewer else None,
            provider=viewer.provider if viewer else "",
            author_name=name,
            author_email=email,
            author_url=website,
            body=body,
            html=html,
            status=status,
            edit_key_hash=secret_hash(edit_key),
            ip_hash=ip_hash,
            created_at=utcnow(),
        )
        db.session.add(comment)
        if status == Status.PUBLISHED.value:
            _count_published(thread, comment)
        commit_keeping_loaded()  # the answer shows what was written, not read back
    except BaseException:
        db.session.rollback()
        raise
    return Posted(comment, edit_key)


def _thread_for(site: Site, url: str, title: str) -> Thread:
    """The page's thread, created on its first comment (never on a mere view) with the title
    that comment's page gave. Later comments never rename it: a reader could write anything
    there, and only the site's owner changes it (the dashboard, widget/moderation.py)."""
    query = select(Thread).where(Thread.site_id == site.id, Thread.url_key == url)
    thread = db.session.scalar(query)
    if thread is None:
        try:
            with db.session.begin_nested():
                thread = Thread(site_id=site.id, url_key=url, url=url, title=title)
                db.session.add(thread)
        except IntegrityError:
            # Another request created it between our read and our write.
            thread = db.session.scalar(query)
            assert thread is not None
    return thread


def _parent_for(thread: Thread, parent_id: int, levels: int) -> int | None:
    """The comment a reply hangs from: the published one replied to, or where that nests it
    past the site's levels, one of its ancestors (tree.hang_from)."""
    chain = tree.ancestry(thread.id, parent_id)
    if not chain:
        raise Rejected("parent_id", "You can only reply to a published comment in this thread.")
    return tree.hang_from(chain, levels)


def _status_for(
    site: Site, email: str, body: str, html: str, viewer: Identity | None, block: Block | None
) -> str:
    mode = site.moderation
    held = (
        block is not None  # the owner blocked this writer with "hold"
        or _has_held_word(site, body)
        or mode == Moderation.ALL.value
        or (mode == Moderation.LINKS.value and count_links(html) > site.link_limit)
        or (mode == Moderation.FIRST_TIME.value and not _has_approved_comment(site, email, viewer))
    )
    return Status.PENDING.value if held else Status.PUBLISHED.value


def status_by_site_rules(comment: Comment) -> str:
    """What the site's rules (moderation mode, held words, a block) give a stored comment, as
    they did when it was posted: published or pending. For an owner's "not spam"."""
    if comment.owner_id is not None:
        return Status.PUBLISHED.value  # the owner's own reply
    site = comment.thread.site
    viewer = None
    if comment.user_id is not None:
        viewer = db.session.scalar(
            select(Identity)
            .where(Identity.user_id == comment.user_id, Identity.provider == comment.provider)
            .limit(1)
        )
    block = find_block(
        site, email=comment.author_email, user_id=comment.user_id, ip_hash=comment.ip_hash
    )
    return _status_for(site, comment.author_email, comment.body, comment.html, viewer, block)


def _has_held_word(site: Site, body: str) -> bool:
    words = [w for w in (site.held_words or []) if w.strip()]
    if not words:
        return False
    # Whole words (or phrases), any case: "ass" holds "ASS" but not "class".
    pattern = "|".join(rf"(?<!\w){re.escape(w.strip())}(?!\w)" for w in words)
    return re.search(pattern, body, re.IGNORECASE) is not None


def _has_approved_comment(site: Site, email: str, viewer: Identity | None) -> bool:
    # A signed-in reader is known by their account; a guest only by the email they typed.
    author = Comment.user_id == viewer.user_id if viewer else Comment.author_email == email
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    and_(
                        author,
                        Comment.status == Status.PUBLISHED.value,
                        Comment.thread_id == Thread.id,
                        Thread.site_id == site.id,
                    )
                )
            )
        )
    )


def _count_published(thread: Thread, comment: Comment) -> None:
    # An SQL expression, not a Python sum: concurrent posts must not lose each other's count.
    thread.published_count = Thread.published_count + 1
    thread.last_comment_at = comment.created_at


@dataclass(frozen=True)
class ThreadHead:
    """A page's site and thread (if it has one yet), before any comment is read."""

    site: Site
    url: str
    title: str
    thread: Thread | None
    url_key: str  # the page URL as threads are keyed by it


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


SORTS = {"oldest", "newest"}
PUBLISHED = Status.PUBLISHED.value


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
        if newest:
            order = (Comment.created_at.desc(), Comment.id.desc())
        else:
            order = (Comment.created_at.asc(), Comment.id.asc())
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


def _read(thread: Thread):  # type: ignore[no-untyped-def]
    return (
        select(Comment)
        .where(Comment.thread_id == thread.id)
        # What readers never see is not read; touching it raises instead of querying.
        .options(*(defer(c, raiseload=True) for c in PRIVATE_COLUMNS))
        .options(joinedload(Comment.user))
    )


def _shown_or_above_shown() -> tuple[Any, Any]:
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


def _beyond(after: tuple[datetime, int], newest: bool):  # type: ignore[no-untyped-def]
    """Top-level comments past (created_at, id) in the page's order: a keyset, not an offset."""
    moment, comment_id = after
    if newest:
        return or_(Comment.created_at < moment,
                   and_(Comment.created_at == moment, Comment.id < comment_id))  # fmt: skip
    return or_(Comment.created_at > moment,
               and_(Comment.created_at == moment, Comment.id > comment_id))  # fmt: skip
