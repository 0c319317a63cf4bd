"""What the JSON API reads and writes: parsing requests and serialising comments."""

from __future__ import annotations

from typing import Any

from flask import Request

from ..comments.formatting import author, isotime
from ..comments.services import NewComment, Node, ThreadPage
from ..errors import Rejected
from ..models import Comment, Status
from ..spam import Submission

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


# Sent by the widget's form for the spam checks (widget/spam.py), not part of the comment.
FORM_FIELDS = ("form_token", "homepage")


def parse_new_comment(data: Any) -> NewComment:
    unknown = sorted(set(data) - set(COMMENT_FIELDS) - set(FORM_FIELDS))
    if unknown:
        raise Rejected(unknown[0], f"Unknown field {unknown[0]!r}.", code="unknown_field")
    return NewComment(**{name: data.get(name) for name in COMMENT_FIELDS})


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


def _flatten(nodes: list[Node]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in nodes:
        out.append(comment_json(node.comment))
        out.extend(_flatten(node.replies))
    return out


def thread_json(page: ThreadPage) -> dict[str, Any]:
    return {
        "thread": {
            "id": page.thread.id if page.thread else None,
            "url": page.url,
            "title": page.title,
            "count": page.count,
        },
        "comments": _flatten(page.roots),
    }


def parse_submission(data: dict[str, Any], request: Request) -> Submission:
    return Submission(
        form_token=data.get("form_token"),
        honeypot=data.get("homepage"),
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent", "")[:500],
        referrer=request.headers.get("Referer", "")[:2048],
    )
