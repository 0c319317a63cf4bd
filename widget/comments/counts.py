"""Comment counts for many pages of a site at once: a blog's front page costs one query."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import Rejected
from ..extensions import db
from ..models import Thread
from ..urls import BadURL, normalize_page_url

MAX_URLS = 100


def count_comments(site_id: int, urls: list[str]) -> dict[str, int]:
    """Published comments per URL, keyed by the URLs as given (0 for a page with no thread)."""
    if not urls:
        raise Rejected("url", "Give at least one url.")
    if len(urls) > MAX_URLS:
        raise Rejected("url", f"Ask for at most {MAX_URLS} URLs at once.", code="too_many")
    keys: dict[str, str] = {}
    for url in urls:
        try:
            keys[url] = normalize_page_url(url)
        except BadURL:
            keys[url] = ""  # not a page of ours: simply no comments
    rows = db.session.execute(
        select(Thread.url_key, Thread.published_count).where(
            Thread.site_id == site_id, Thread.url_key.in_({k for k in keys.values() if k})
        )
    ).all()
    counts = dict(rows)
    return {url: counts.get(key, 0) for url, key in keys.items()}
