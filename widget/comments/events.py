"""Comment events: blinker signals sent once what they tell of has been committed.

The services announce an event while they write (`posted`, `status_changed`); it waits on the
database session and is sent after that session's transaction commits, whoever commits it, and
is dropped if the transaction rolls back instead. So a receiver (reply emails, feeds, webhooks,
an importer's counts) never hears of a comment that was refused or not stored, and posting
knows nothing of who listens.

Each signal is sent with the app as its sender and one keyword, `event`, a frozen record of
ids and statuses (never an ORM object, which the commit may have expired):

    @comment_posted.connect
    def on_posted(app: Flask, event: CommentPosted) -> None: ...

A receiver runs in the request, after the commit: the session is free for it to read (or write
and commit its own work). What it raises is logged and goes no further, since the comment is
stored by then whatever a receiver does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from blinker import NamedSignal, Namespace
from flask import Flask, current_app

from ..models import Comment
from ..transactions import after_commit

log = logging.getLogger(__name__)
signals = Namespace()

comment_posted = signals.signal(
    "comment-posted", doc="A new comment was stored, whatever its status (CommentPosted)."
)
comment_status_changed = signals.signal(
    "comment-status-changed",
    doc="An owner's action (or 'not spam') changed a comment's status (StatusChanged).",
)


@dataclass(frozen=True)
class CommentPosted:
    comment_id: int
    site_id: int
    thread_id: int
    parent_id: int | None
    status: str  # published, pending or spam
    reason: str | None  # why (comments/verdicts.py), None when published without a rule


@dataclass(frozen=True)
class StatusChanged:
    comment_id: int
    site_id: int
    thread_id: int
    old_status: str
    new_status: str
    reason: str | None  # "owner" for an owner's decision, or the rule that holds it


def posted(comment: Comment, site_id: int) -> None:
    """Announce a comment just stored (flushed, so that it has its id)."""
    _announce(
        comment_posted,
        CommentPosted(
            comment_id=comment.id,
            site_id=site_id,
            thread_id=comment.thread_id,
            parent_id=comment.parent_id,
            status=comment.status,
            reason=comment.status_reason,
        ),
    )


def status_changed(comment: Comment, old_status: str, site_id: int) -> None:
    """Announce that `comment` went from `old_status` to the status it has now."""
    _announce(
        comment_status_changed,
        StatusChanged(
            comment_id=comment.id,
            site_id=site_id,
            thread_id=comment.thread_id,
            old_status=old_status,
            new_status=comment.status,
            reason=comment.status_reason,
        ),
    )


def _announce(signal: NamedSignal, event: CommentPosted | StatusChanged) -> None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(lambda: _send(app, signal, event))


def _send(app: Flask, signal: NamedSignal, event: CommentPosted | StatusChanged) -> None:
    for receiver in signal.receivers_for(app):
        try:
            receiver(app, event=event)
        except Exception:
            log.exception("a receiver of %s failed on %s", signal.name, event)
