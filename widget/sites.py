"""Sites: creating them, finding them by key, and which page URLs they may have threads for."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import Select, false, select
from sqlalchemy.orm import selectinload

from .errors import Rejected
from .extensions import db
from .models import Moderation, Site, SiteOrigin
from .urls import BadURL, normalize_origin, origin_of

_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Control characters, line and paragraph separators, lone surrogates: a name is shown in pages
# and in an email's Subject, where a line break would start a header of the writer's choosing.
_NOT_IN_NAMES = {"Cc", "Cs", "Zl", "Zp"}


def create_site(
    name: str, origins: list[str], moderation: str = Moderation.OFF.value, key: str | None = None
) -> Site:
    name = site_name(name)
    if moderation not in {m.value for m in Moderation}:
        raise Rejected("moderation", "Moderation is one of off, links, first-time, all.")
    site = Site(key=key or secrets.token_urlsafe(12), name=name, moderation=moderation)
    site.origins = [SiteOrigin(origin=o) for o in site_origins(origins)]
    db.session.add(site)
    db.session.commit()
    return site


def site_name(name: object) -> str:
    """A site's name as given, trimmed; refused if empty, too long, or not one line of text."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        raise Rejected("name", "A site needs a name of 1 to 200 characters.")
    if any(unicodedata.category(c) in _NOT_IN_NAMES for c in name):
        raise Rejected("name", "A site's name is one line of text: no control characters.")
    return name


def site_origins(origins: list[str], field: str = "origin") -> list[str]:
    """The origins, normalised and without repeats; refused unless each is scheme://host[:port]."""
    if not origins:
        raise Rejected(field, "A site needs at least one origin, e.g. https://blog.example.com")
    clean: list[str] = []
    for origin in origins:
        try:
            normalized = normalize_origin(origin)
        except BadURL as exc:
            raise Rejected(field, f"{origin!r}: {exc}") from exc
        if normalized not in clean:
            clean.append(normalized)
    return clean


def get_site(key: object) -> Site:
    """The site a snippet's key names, with its origins loaded; a 404 Rejected if none."""
    site = db.session.scalar(
        select(Site).where(Site.key == _checked(key)).options(selectinload(Site.origins))
    )
    if site is None:
        raise no_such_site()
    return site


def site_by_key(key: object, origin: str | None) -> Select[int, bool]:
    """A query of the site a key names: its id, and whether origin is one of its own. Answers
    any page may ask for often (counts) add what they read to it, and cost one query; run it,
    and raise `no_such_site()` when it finds no row."""
    own = select(SiteOrigin.id).where(SiteOrigin.site_id == Site.id, SiteOrigin.origin == origin)
    return select(Site.id, own.exists() if origin else false()).where(Site.key == _checked(key))


def _checked(key: object) -> str:
    # Keys are URL-safe tokens; anything else (a NUL byte, say, which PostgreSQL refuses even
    # to compare) names no site.
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise Rejected(
            "site", "Give the site key from your snippet.", code="unknown_site", status=404
        )
    return key


def no_such_site() -> Rejected:
    return Rejected("site", "No site has that key.", code="unknown_site", status=404)


def check_page_url(site: Site, url: str) -> None:
    """Threads exist only for pages under one of the site's origins."""
    if origin_of(url) not in site.origin_list:
        raise Rejected(
            "url",
            "That page is not on one of this site's origins.",
            code="origin_not_allowed",
        )
