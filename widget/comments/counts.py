"""Comment counts for many pages of a site at once: a blog's front page costs one query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_

from ..errors import Rejected
from ..extensions import db
from ..models import Site, Thread
from ..sites import no_such_site, site_by_key
from ..urls import BadURL, normalize_page_url
from .formatting import count_label

MAX_URLS = 100


@dataclass(frozen=True)
class Counts:
    by_url: dict[str, int]  # keyed by the URLs as asked
    asked_by_own_page: bool  # the Origin asking is one of the site's: it may read the answer

    def labels(self) -> dict[str, str]:
        """Each count in words ("2 comments"), so that embed.js shows the server's wording."""
        return {url: count_label(count) for url, count in self.by_url.items()}


def count_comments(site_key: object, origin: str | None, urls: list[str]) -> Counts:
    """Published comments per URL (0 for a page with no thread), with the site and the asker's
    origin checked in the same query: a 404 Rejected for a key that names no site."""
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
    asked = Thread.url_key.in_({k for k in keys.values() if k})
    # The site's row comes back once with no thread, or once with each thread found.
    query = site_by_key(site_key, origin).add_columns(Thread.url_key, Thread.published_count)
    threads = and_(Thread.site_id == Site.id, asked)
    rows = db.session.execute(query.outerjoin(Thread, threads)).all()
    if not rows:
        raise no_such_site()
    counts = {row.url_key: row.published_count for row in rows if row.url_key is not None}
    return Counts({url: counts.get(key, 0) for url, key in keys.items()}, bool(rows[0][1]))
