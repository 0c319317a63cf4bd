"""How comments read on the page: times, headings, avatar colours. Shared by thread.js's twin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from ..models import Comment, as_utc

AVATAR_COLORS = 8


def avatar_color(name: str | None) -> int:
    """A stable colour per name, the same sum thread.js computes for comments it adds."""
    return sum(ord(ch) for ch in (name or "?")) % AVATAR_COLORS


def isotime(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def exacttime(moment: datetime) -> str:
    return as_utc(moment).strftime("%-d %B %Y at %H:%M UTC")


def count_heading(count: int, title: str) -> str:
    """ "2 comments on “Title”"; thread.js words it the same way when a comment is added."""
    if count == 0:
        words = "No comments yet"
    else:
        words = "1 comment" if count == 1 else f"{count:,} comments"
    return f"{words} on “{title}”" if title else words


@dataclass(frozen=True)
class Author:
    name: str
    url: str
    avatar_url: str | None
    provider: str


def author(comment: Comment) -> Author:
    """Who wrote a comment, as readers see it: a signed-in author as their provider shows them."""
    user = comment.user if comment.user_id else None
    if user is None:
        return Author(comment.author_name, comment.author_url, None, "")
    avatar = (
        url_for("avatars.avatar", user_id=user.id, v=user.avatar_version)
        if user.avatar_version
        else None
    )
    return Author(user.name, user.profile_url, avatar, comment.provider)
