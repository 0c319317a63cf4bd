"""Posting a comment: check what was sent, judge it by the moderation rules (rules.py), store
it with its verdict's status and reason, commit, and announce it (events.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..digests import secret_hash
from ..errors import Rejected
from ..extensions import db
from ..models import Comment, Identity, Site, Status, Thread, utcnow
from ..sites import check_page_url, get_site
from ..spam_filter.scoring import check_comment
from ..text import render_markdown
from ..transactions import begin_writing, commit_keeping_loaded
from . import events, rules, spam, tree, validation
from .blocks import REFUSED_MESSAGE, ip_digest
from .verdicts import REFUSED


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


def post_comment(
    new: NewComment,
    viewer: Identity | None = None,
    ip: str | None = None,
    submission: spam.Submission | None = None,
) -> Posted:
    """Check and store a comment, a guest's or a signed-in reader's (`viewer`), posted from
    `ip`: published at once, held by the site's rules (comments/rules.py) with their reason, or
    refused if the owner blocked them. Announced (comments/events.py) once committed."""
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
    form = None
    if viewer is None and submission is not None:
        form = rules.FormPost(submission, name=name, website=website, page_url=url)
    user_id = viewer.user_id if viewer else None
    check = check_comment(site, body=body, name=name, email=email, website=website,
                          user_id=user_id)  # fmt: skip
    # Before anything is written (Akismet's answer may take seconds); the form token is spent
    # last, and from then on the request holds SQLite's write lock.
    verdict = rules.judge(
        rules.Candidate(site=site, body=body, html=html, email=email, user_id=user_id,
                        ip_hash=ip_hash, form=form, spam_check=check)
    )  # fmt: skip
    if verdict.status == REFUSED:
        raise Rejected(None, REFUSED_MESSAGE, code="blocked", status=403)

    begin_writing()
    try:
        thread = thread_for(site, url, title)
        if parent_id is not None:
            parent_id = _parent_for(thread, parent_id, site.reply_depth)
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
            status=verdict.status,
            status_reason=verdict.reason,
            spam_check=check.as_record() if check else None,
            edit_key_hash=secret_hash(edit_key),
            ip_hash=ip_hash,
            created_at=utcnow(),
        )
        db.session.add(comment)
        if verdict.status == Status.PUBLISHED.value:
            _count_published(thread, comment)
        db.session.flush()  # for its id
        events.posted(comment, site.id)
        commit_keeping_loaded()  # the answer shows what was written, not read back
    except BaseException:
        db.session.rollback()
        raise
    return Posted(comment, edit_key)


def thread_for(site: Site, url: str, title: str) -> Thread:
    """The page's thread, created on its first comment (never on a mere view) with the title
    that comment's page gave. Later comments never rename it: a reader could write anything
    there, and only the site's owner changes it (the dashboard, comments/moderation.py)."""
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


def _count_published(thread: Thread, comment: Comment) -> None:
    # An SQL expression, not a Python sum: concurrent posts must not lose each other's count.
    thread.published_count = Thread.published_count + 1
    thread.last_comment_at = comment.created_at
