"""What a site owner does to comments: approve, mark spam, delete, restore, edit, reply.

Every change of status recounts its thread from the database (published count, time of the
last published comment), so the figures readers see cannot drift from the comments. It keeps
its reason, "owner" (or, where "not spam" leaves a comment held, the site rule that holds it),
so that the lists tell a person's decisions from the rules', and is announced once committed
(events.comment_status_changed).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select

from ..errors import Rejected
from ..extensions import db
from ..models import Comment, Owner, Site, Status, Thread, utcnow
from ..text import render_markdown
from . import events, validation
from .rules import verdict_by_site_rules
from .tree import ancestry, hang_from
from .verdicts import Reason, Verdict

# An action and the status it gives a comment. Deleting keeps the comment (so it can be
# restored): readers see nothing of it, or a placeholder where it has replies.
ACTIONS = {
    "approve": Status.PUBLISHED.value,
    "spam": Status.SPAM.value,
    "delete": Status.DELETED.value,
    "restore": Status.PUBLISHED.value,
    # Published, or pending where the site's rules hold it (_status_after).
    "not-spam": Status.PUBLISHED.value,
}
REFUSED = "Approve, spam, not spam, delete or restore."


def _verdict_after(comment: Comment, action: str) -> Verdict | None:
    """The status an action gives the comment and why; None where it leaves it as it is."""
    if action != "not-spam":
        return Verdict(ACTIONS[action], Reason.OWNER)
    if comment.status != Status.SPAM.value:
        return None  # only spam is let through
    verdict = verdict_by_site_rules(comment)
    return Verdict(verdict.status, Reason.OWNER) if verdict.reason is None else verdict


def _change(comment: Comment, verdict: Verdict | None, site_id: int) -> None:
    if verdict is None or verdict.status == comment.status:
        return
    old_status = comment.status
    comment.status, comment.status_reason = verdict.status, verdict.reason
    events.status_changed(comment, old_status, site_id)


def recount(thread_id: int) -> None:
    """Set the thread's published count and last comment time from its comments."""
    count, last = db.session.execute(
        select(func.count(Comment.id), func.max(Comment.created_at)).where(
            Comment.thread_id == thread_id, Comment.status == Status.PUBLISHED.value
        )
    ).one()
    thread = db.session.get(Thread, thread_id)
    assert thread is not None
    thread.published_count = count
    thread.last_comment_at = last


def moderate(comment: Comment, action: str) -> Comment:
    """Approve, mark as spam, delete or restore one comment."""
    if action not in ACTIONS:
        raise Rejected("action", REFUSED, status=400)
    _change(comment, _verdict_after(comment, action), comment.thread.site_id)
    db.session.flush()
    recount(comment.thread_id)
    db.session.commit()
    return comment


def moderate_many(site: Site, comment_ids: Iterable[int], action: str) -> int:
    """The same action on many comments of one site; ids from other sites are ignored."""
    if action not in ACTIONS:
        raise Rejected("action", REFUSED, status=400)
    ids = {i for i in comment_ids if isinstance(i, int)}
    if not ids:
        raise Rejected("comments", "Tick at least one comment.")
    comments = db.session.scalars(
        select(Comment)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Comment.id.in_(ids), Thread.site_id == site.id)
    ).all()
    for comment in comments:
        _change(comment, _verdict_after(comment, action), site.id)
    db.session.flush()
    for thread_id in {c.thread_id for c in comments}:
        recount(thread_id)
    db.session.commit()
    return len(comments)


def edit(comment: Comment, body: object) -> Comment:
    """Replace a comment's text; its HTML is rendered again, once, now."""
    text = validation.body(body, current_app.config["WIDGET_MAX_BODY_CHARS"])
    comment.body = text
    comment.html = render_markdown(text)
    comment.edited_at = utcnow()
    db.session.commit()
    return comment


def reply(owner: Owner, parent: Comment, body: object) -> Comment:
    """The owner answers a comment, published at once with an owner badge.

    Answering a held comment approves it: an owner replies to what they mean to keep.
    """
    if parent.status in (Status.SPAM.value, Status.DELETED.value):
        raise Rejected("body", "Restore this comment before replying to it.", status=409)
    text = validation.body(body, current_app.config["WIDGET_MAX_BODY_CHARS"])
    site_id = parent.thread.site_id
    _change(parent, Verdict(Status.PUBLISHED.value, Reason.OWNER), site_id)
    levels = parent.thread.site.reply_depth  # an owner's reply nests no deeper than a reader's
    comment = Comment(
        thread_id=parent.thread_id,
        parent_id=hang_from(ancestry(parent.thread_id, parent.id, published=False), levels),
        owner_id=owner.id,
        author_name=owner.display_name[:100],
        author_email=owner.email,
        body=text,
        html=render_markdown(text),
        status=Status.PUBLISHED.value,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    events.posted(comment, site_id)
    recount(parent.thread_id)
    db.session.commit()
    return comment


def retitle(thread: Thread, title: object) -> Thread:
    """The owner names the thread: readers' pages never do, once it exists (comments/services)."""
    thread.title = validation.page_title(title)
    db.session.commit()
    return thread
