"""Where an owner is signed in to the dashboard: one row per browser, found by the hash of the
random token its session cookie carries. A copied cookie dies with its row: signing out, a new
password, "sign out everywhere" and removing the owner delete rows, and nothing else is needed.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from .digests import secret_hash
from .errors import Rejected
from .extensions import db
from .models import Owner, OwnerSession, as_utc, utcnow
from .transactions import write_apart

# A browser left alone this long is signed out; one in use stays signed in.
IDLE_LIMIT = timedelta(days=30)
# How stale "last seen" may get before a request writes it again (not a write per request).
SEEN_EVERY = timedelta(minutes=5)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{40,60}")  # what secrets.token_urlsafe(32) makes

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))  # fmt: skip
_SYSTEMS = (("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))  # fmt: skip


def device(user_agent: str) -> str:
    """ "Firefox on Linux", from a User-Agent header: what the owner needs to tell browsers
    apart on their account page; the header itself is not kept."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "An unknown browser"


def start(owner: Owner, user_agent: str = "") -> str:
    """A new signed-in session for `owner`; the token for its cookie (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Their own long-idle sessions go now: nobody else ever cleans them.
    db.session.execute(
        delete(OwnerSession).where(
            OwnerSession.owner_id == owner.id, OwnerSession.last_seen_at < now - IDLE_LIMIT
        )
    )
    db.session.add(
        OwnerSession(owner_id=owner.id, token_hash=secret_hash(token), device=device(user_agent),
                     created_at=now, last_seen_at=now)
    )  # fmt: skip
    db.session.commit()
    return token


def find(token: object) -> OwnerSession | None:
    """The live session this cookie's token names, or None (unknown, signed out, idle)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    record = db.session.scalar(
        select(OwnerSession)
        .where(OwnerSession.token_hash == secret_hash(token))
        .options(joinedload(OwnerSession.owner))  # one query for who is signed in
    )
    if record is None:
        return None
    now = utcnow()
    if as_utc(record.last_seen_at) < now - IDLE_LIMIT:
        return None
    if as_utc(record.last_seen_at) < now - SEEN_EVERY:
        _seen(record, now)
    return record


def _seen(record: OwnerSession, now: datetime) -> None:
    """Note that the session is in use, in a transaction of its own (not when the request
    holds unfinished work of its own: next time, then)."""
    seen = update(OwnerSession).where(OwnerSession.id == record.id).values(last_seen_at=now)
    if write_apart(seen):
        record.last_seen_at = now


def of(owner: Owner) -> list[OwnerSession]:
    """Every browser the owner is signed in on, the most recently used first."""
    return list(
        db.session.scalars(
            select(OwnerSession)
            .where(OwnerSession.owner_id == owner.id,
                   OwnerSession.last_seen_at >= utcnow() - IDLE_LIMIT)
            .order_by(OwnerSession.last_seen_at.desc(), OwnerSession.id.desc())
        )
    )  # fmt: skip


def end(record: OwnerSession) -> None:
    db.session.execute(delete(OwnerSession).where(OwnerSession.id == record.id))
    db.session.commit()


def end_one(owner: Owner, session_id: int) -> None:
    """Sign the owner out on one of their browsers; another owner's session is not found."""
    done = db.session.execute(
        delete(OwnerSession).where(OwnerSession.id == session_id, OwnerSession.owner_id == owner.id)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        db.session.rollback()
        raise Rejected(None, "You are not signed in there.", code="not_found", status=404)
    db.session.commit()


def end_all(owner: Owner, *, keep: OwnerSession | None = None, commit: bool = True) -> None:
    """Sign the owner out everywhere, except on the session `keep` if given."""
    query = delete(OwnerSession).where(OwnerSession.owner_id == owner.id)
    if keep is not None:
        query = query.where(OwnerSession.id != keep.id)
    db.session.execute(query)
    if commit:
        db.session.commit()
