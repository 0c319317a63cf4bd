"""The filters and globals every template may use, registered on the app in one place.

What comments read like where the API shows them too (authors, times, counts) lives in
comments/formatting.py; what only templates need is here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, request, url_for

from .assets import asset_url
from .auth.session_json import provider_label
from .comments.formatting import author, count_heading, count_headings, isotime
from .comments.verdicts import describe
from .models import as_utc, utcnow

AVATAR_COLORS = 8
# What the dashboard's lists (threads, queue) read from their query string, and so carry from
# page to page.
LIST_PARAMETERS = ("q", "sort")


def avatar_color(name: str | None) -> int:
    """A stable colour per name, the same sum thread.js computes for comments it adds."""
    return sum(ord(ch) for ch in (name or "?")) % AVATAR_COLORS


def exacttime(moment: datetime) -> str:
    return as_utc(moment).strftime("%-d %B %Y at %H:%M UTC")


def ago(moment: datetime) -> str:
    """ "just now", "5 minutes ago", "3 days ago"; past a month, the date."""
    seconds = int((utcnow() - as_utc(moment)).total_seconds())
    if seconds >= 31 * 86400:
        return as_utc(moment).strftime("%-d %b %Y")
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def combine_attrs(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    return {**first, **second}


def page_url(endpoint: str, page: int) -> str:
    """Page `page` of the list at hand, with the list's own parameters and nothing else."""
    kept = {name: request.args[name] for name in LIST_PARAMETERS if name in request.args}
    return url_for(endpoint, **(kept | {"page": page} | (request.view_args or {})))


FILTERS: tuple[Callable[..., Any], ...] = (
    ago,
    author,
    avatar_color,
    combine_attrs,
    count_heading,
    count_headings,
    exacttime,
    isotime,
    provider_label,
)
# Filters whose name in a template says more than the function's own does there.
NAMED_FILTERS: dict[str, Callable[..., Any]] = {
    "status_reason": describe,  # why a held comment is held (the queue's and Spam list's rows)
}
GLOBALS: tuple[Callable[..., Any], ...] = (asset_url, page_url)


def init_app(app: Flask) -> None:
    for function in FILTERS:
        app.add_template_filter(function)
    for name, function in NAMED_FILTERS.items():
        app.add_template_filter(function, name)
    for function in GLOBALS:
        app.add_template_global(function)
