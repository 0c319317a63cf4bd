"""Reply emails, queued when a reply is published: a receiver of the comment events
(comments/events.py), which run after the comment's transaction committed."""

from __future__ import annotations

from flask import Flask

from ..comments.events import CommentPosted, StatusChanged, comment_posted, comment_status_changed
from ..models import Status
from .subscriptions import queue_reply_emails

PUBLISHED = Status.PUBLISHED.value


@comment_posted.connect
def _on_posted(app: Flask, event: CommentPosted) -> None:
    if event.status == PUBLISHED and event.parent_id is not None:
        queue_reply_emails(event.comment_id)


@comment_status_changed.connect
def _on_status_changed(app: Flask, event: StatusChanged) -> None:
    # Approved at last (or found not to be spam); a restored deleted reply was announced once.
    if event.new_status == PUBLISHED and event.old_status in (Status.PENDING, Status.SPAM):
        queue_reply_emails(event.comment_id)
