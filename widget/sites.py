"""Sites: creating them and changing their settings (every check of a setting is here, for the
dashboard, the CLI and the tests alike), their snippet, finding them by key, and which page URLs
they may have threads for."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Select, false, select
from sqlalchemy.orm import joinedload, selectinload

from .errors import Rejected
from .extensions import db
from .models import Moderation, Site, SiteOrigin
from .urls import BadURL, normalize_origin, origin_of

_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Control characters, line and paragraph separators, lone surrogates: a name is shown in pages
# and in an email's Subject, where a line break would start a header of the writer's choosing.
_NOT_IN_NAMES = {"Cc", "Cs", "Zl", "Zp"}
THEMES = ("auto", "light", "dark")
LINK_LIMIT_MAX = 100
REPLY_DEPTH_MAX = 10  # as the database's check says
HELD_WORD_MAX, HELD_WORDS_MAX = 100, 500


def create_site(
    name: object, origins: list[str], moderation: object = Moderation.OFF.value,
    key: str | None = None,
) -> Site:  # fmt: skip
    """A new site with these settings (the others take their defaults), committed."""
    site = Site(key=key or secrets.token_urlsafe(12), name=site_name(name))
    site.origins = [SiteOrigin(origin=o) for o in site_origins(origins)]
    site.moderation = _moderation(moderation)
    db.session.add(site)
    db.session.commit()
    return site


def update_site(
    site: Site, *, name: object, origins: list[str], moderation: object, link_limit: int | None,
    guests_allowed: bool, disabled_providers: list[str], held_words: list[str], theme: object,
    reply_depth: int | None = None, spam_filter: bool | None = None,
    spam_hold_at: float | None = None, spam_at: float | None = None,
) -> None:  # fmt: skip
    """Change every setting of the site, or none: each is checked before any is kept.
    `reply_depth` and the spam filter's settings None keep the site's (a form from before the
    setting sends none)."""
    clean_name, clean_origins = site_name(name), site_origins(origins)
    mode = _moderation(moderation)
    if link_limit is None or not 0 <= link_limit <= LINK_LIMIT_MAX:
        raise Rejected("link_limit", f"Number must be from 0 to {LINK_LIMIT_MAX}.")
    colours = _choice("theme", theme, THEMES, "Not a valid choice: auto, light or dark.")
    if reply_depth is not None and not 1 <= reply_depth <= REPLY_DEPTH_MAX:
        raise Rejected("reply_depth", f"Choose from 1 to {REPLY_DEPTH_MAX} levels.")
    hold_at, spam_from = _spam_thresholds(site, spam_hold_at, spam_at)
    site.name = clean_name
    kept = {o.origin: o for o in site.origins}
    site.origins = [kept.get(o) or SiteOrigin(origin=o) for o in clean_origins]
    site.moderation = mode
    site.link_limit = link_limit
    site.guests_allowed = guests_allowed
    site.disabled_providers = list(disabled_providers)
    site.held_words = _held_words(held_words)
    site.theme = colours
    if reply_depth is not None:
        site.reply_depth = reply_depth
    if spam_filter is not None:
        site.spam_filter = spam_filter
    site.spam_hold_at, site.spam_at = hold_at, spam_from
    db.session.commit()


def site_settings(site: Site) -> dict[str, Any]:
    """Every setting an owner can change, as update_site takes them (a backup keeps these)."""
    return {
        "name": site.name,
        "origins": site.origin_list,
        "moderation": site.moderation,
        "guests_allowed": site.guests_allowed,
        "link_limit": site.link_limit,
        "disabled_providers": list(site.disabled_providers),
        "held_words": list(site.held_words),
        "theme": site.theme,
        "reply_depth": site.reply_depth,
    }


def _spam_thresholds(
    site: Site, hold_at: float | None, spam_at: float | None
) -> tuple[float, float]:
    """The filter's two scores (None: the site's as they are): holding from `hold_at`, spam
    from `spam_at`, so 0 < hold_at <= spam_at <= 1 (1: the filter never calls it spam)."""
    hold = site.spam_hold_at if hold_at is None else hold_at
    spam = site.spam_at if spam_at is None else spam_at
    if not 0 < hold <= 1:
        raise Rejected("spam_hold_at", "A score above 0, up to 1.")
    if not 0 < spam <= 1:
        raise Rejected("spam_at", "A score above 0, up to 1.")
    if hold > spam:
        raise Rejected("spam_at", "Call it spam at a score no lower than the one that holds it.")
    return hold, spam


def site_name(name: object) -> str:
    """A site's name as given, trimmed; refused if empty, too long, or not one line of text."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        raise Rejected("name", "Give the site a name of 1 to 200 characters.")
    if any(unicodedata.category(c) in _NOT_IN_NAMES for c in name):
        raise Rejected("name", "A site's name is one line of text: no control characters.")
    return name


def site_origins(origins: list[str]) -> list[str]:
    """The origins, normalised and without repeats; refused unless each is scheme://host[:port]."""
    if not origins:
        raise Rejected("origins", "A site needs at least one origin, e.g. https://blog.example.com")
    clean: list[str] = []
    for origin in origins:
        try:
            normalized = normalize_origin(origin)
        except BadURL as exc:
            raise Rejected("origins", f"{origin!r}: {exc}") from exc
        if normalized not in clean:
            clean.append(normalized)
    return clean


def _moderation(value: object) -> str:
    return _choice(
        "moderation", value, [m.value for m in Moderation],
        "Not a valid choice: moderation is off, links, first-time or all.",
    )  # fmt: skip


def _choice(field: str, value: object, choices: Sequence[str], message: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Rejected(field, message)
    return value


def _held_words(words: list[str]) -> list[str]:
    """Trimmed, without repeats, and bounded: each is looked for in every comment posted."""
    trimmed = (w.strip()[:HELD_WORD_MAX] for w in words)
    return list(dict.fromkeys(w for w in trimmed if w))[:HELD_WORDS_MAX]


def snippet(site: Site) -> str:
    """What the owner pastes into their pages where the comments should appear."""
    service = current_app.config["WIDGET_PUBLIC_URL"]
    return (
        '<div id="comments"></div>\n'
        f'<script async src="{service}/embed.js" data-site="{site.key}"></script>'
    )


def get_site(key: object) -> Site:
    """The site a snippet's key names, with its origins loaded; a 404 Rejected if none."""
    site = db.session.scalar(
        select(Site).where(Site.key == _checked(key)).options(selectinload(Site.origins))
    )
    if site is None:
        raise no_such_site()
    return site


def site_named(key: object) -> Select[Site]:
    """A query of the site a key names with its origins, in one statement (joined, so run it
    with `.unique()`), for answers that read more in the same query; none found is
    `no_such_site()`."""
    return select(Site).where(Site.key == _checked(key)).options(joinedload(Site.origins))


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
