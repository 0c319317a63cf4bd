"""How comments read wherever they are shown (the iframe, the dashboard, the API): who wrote
them, when, and how many there are. templating.py makes these filters for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from ..models import Comment, as_utc


def isotime(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


# The one wording of a count of comments. The thread's heading, a blog's lists (through the
# counts API's `labels`) and thread.js (through the thread page's data attributes) take it from
# here; "{count}" stands for the number where the browser fills it in.
MANY = "{count} comments"


def count_label(count: int) -> str:
    """ "No comments", "1 comment", "1,234 comments": a page's count on a blog's lists."""
    if count == 0:
        return "No comments"
    return "1 comment" if count == 1 else MANY.format(count=f"{count:,}")


def count_heading(count: int, title: str) -> str:
    """ "2 comments on “Title”", or "No comments yet on “Title”": the thread's heading."""
    return _on_title(count_label(count) if count else "No comments yet", title)


def count_headings(title: str) -> dict[str, str]:
    """The heading for one comment and for more ("{count}" standing for the number): what
    thread.js shows as a reader's comments are added without a reload (the count only grows)."""
    return {"one": count_heading(1, title), "many": _on_title(MANY, title)}


def _on_title(words: str, title: str) -> str:
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
