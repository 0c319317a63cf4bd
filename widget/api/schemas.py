"""What the JSON API reads and writes: parsing requests and serialising comments."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from flask import Request

from ..comments.formatting import author, isotime
from ..comments.reading import ThreadPage
from ..comments.services import NewComment
from ..comments.spam import Submission
from ..errors import Rejected
from ..models import Comment, Status, as_utc

COMMENT_FIELDS = (
    "site",
    "url",
    "title",
    "parent_id",
    "body",
    "author_name",
    "author_email",
    "author_url",
)


# Sent by the widget's form for the spam checks (widget/comments/spam.py), not part of the comment.
FORM_FIELDS = ("form_token", "homepage")
# The form's "Notify me of follow-up comments by email" (widget/notify/subscriptions.py).
NOTIFY_FIELD = "notify_replies"


def parse_new_comment(data: Any) -> NewComment:
    unknown = sorted(set(data) - set(COMMENT_FIELDS) - set(FORM_FIELDS) - {NOTIFY_FIELD})
    if unknown:
        raise Rejected(unknown[0], f"Unknown field {unknown[0]!r}.", code="unknown_field")
    return NewComment(**{name: data.get(name) for name in COMMENT_FIELDS})


def parse_notify_replies(data: dict[str, Any]) -> bool:
    value = data.get(NOTIFY_FIELD, False)
    if not isinstance(value, bool):
        raise Rejected(NOTIFY_FIELD, f"{NOTIFY_FIELD} must be true or false.")
    return value


def comment_json(comment: Comment) -> dict[str, Any]:
    deleted = comment.status == Status.DELETED.value
    who = author(comment)
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": "" if deleted else who.name,
        "author_url": None if deleted else (who.url or None),
        "author_avatar_url": None if deleted else who.avatar_url,
        "provider": None if deleted else (who.provider or None),
        "html": "" if deleted else comment.html,
        # Whoever posted spam is told only that it waits, like any held comment.
        "status": Status.PENDING.value if comment.status == Status.SPAM.value else comment.status,
        "created_at": isotime(comment.created_at),
        "edited_at": isotime(comment.edited_at) if comment.edited_at else None,
    }


def placeholder_json(comment: Comment) -> dict[str, Any]:
    """A comment readers no longer see (deleted, or held back by the owner) that has replies:
    where it stood, and nothing of what it said or who said it, whatever the reason."""
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": "",
        "author_url": None,
        "author_avatar_url": None,
        "provider": None,
        "html": "",
        "status": Status.DELETED.value,
        "created_at": isotime(comment.created_at),
        "edited_at": None,
    }


def thread_json(page: ThreadPage) -> dict[str, Any]:
    published = Status.PUBLISHED.value
    return {
        "thread": {
            "id": page.thread.id if page.thread else None,
            "url": page.url,
            "title": page.title,
            "count": page.count,
        },
        # Each reply after its parent, in reading order.
        "comments": [
            comment_json(row.comment)
            if row.comment.status == published
            else placeholder_json(row.comment)
            for row in page.rows
        ],
        "next_cursor": encode_cursor(page.resume_after) if page.resume_after else None,
    }


MAX_LIMIT = 100
CURSOR_MAX = 200  # characters: what we hand out is about 60


def parse_limit(value: str | None, default: int) -> int:
    """How many top-level comments a page of the API holds: 1 to MAX_LIMIT."""
    if value is None:
        return min(default, MAX_LIMIT)
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise Rejected("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(value)


def encode_cursor(after: tuple[datetime, int]) -> str:
    """Opaque to clients: the (created_at, id) of the last top-level comment they were given."""
    moment, comment_id = after
    raw = json.dumps([as_utc(moment).isoformat(timespec="microseconds"), comment_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A `next_cursor` handed out before, or a 400 naming `cursor`."""
    if value is None:
        return None
    bad = Rejected("cursor", "cursor must be a next_cursor from an earlier answer.")
    if not value or len(value) > CURSOR_MAX or not value.isascii():
        raise bad
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        moment, comment_id = json.loads(raw)
        when = datetime.fromisoformat(moment) if isinstance(moment, str) else None
        if when is None or when.tzinfo is None:
            raise bad
        when = as_utc(when)
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise bad from None
    if isinstance(comment_id, bool) or not isinstance(comment_id, int):
        raise bad
    if not 1 <= comment_id <= 2**62:
        raise bad
    return when, comment_id


def parse_submission(data: dict[str, Any], request: Request) -> Submission:
    return Submission(
        form_token=data.get("form_token"),
        honeypot=data.get("homepage"),
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent", "")[:500],
        referrer=request.headers.get("Referer", "")[:2048],
    )
