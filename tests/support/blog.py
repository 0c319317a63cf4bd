"""The blog the unit tests' sites belong to, an article on it, and a guest's comment there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from widget.models import Site

BLOG = "https://blog.example.com"
PAGE = f"{BLOG}/2026/11/hello/"


def guest(site: Site, /, **fields: Any) -> dict[str, Any]:
    """A valid guest comment payload for `site`, with fields overridden."""
    return {
        "site": site.key,
        "url": PAGE,
        "title": "Hello",
        "body": "A thoughtful comment.",
        "author_name": "Ann Reader",
        "author_email": "ann@example.com",
    } | fields
