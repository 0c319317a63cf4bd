"""Commenters' credentials: random, stored hashed, expiring, revocable."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from ..digests import secret_hash
from ..extensions import db
from ..models import AuthToken, Identity, as_utc, utcnow

SESSION_LIFETIME = timedelta(days=30)
ACCESS_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Issued:
    secret: str
    token: AuthToken

    @property
    def expires_in(self) -> int:
        return int((as_utc(self.token.expires_at) - utcnow()).total_seconds())


def _issue(kind: str, identity_id: int, site_id: int, lifetime: timedelta,
           session_id: int | None = None) -> Issued:  # fmt: skip
    secret = secrets.token_urlsafe(32)
    token = AuthToken(
        token_hash=secret_hash(secret),
        kind=kind,
        session_id=session_id,
        identity_id=identity_id,
        site_id=site_id,
        expires_at=utcnow() + lifetime,
    )
    db.session.add(token)
    db.session.flush()
    return Issued(secret, token)


def issue_session(identity_id: int, site_id: int) -> Issued:
    return _issue("session", identity_id, site_id, SESSION_LIFETIME)


def issue_access(session: AuthToken) -> Issued:
    return _issue("access", session.identity_id, session.site_id, ACCESS_LIFETIME, session.id)


def find(secret: object, kind: str) -> AuthToken | None:
    """The live token of that kind with that secret, its identity and user loaded."""
    if not isinstance(secret, str) or not 20 <= len(secret) <= 100:
        return None
    token = db.session.scalar(
        select(AuthToken)
        .where(AuthToken.token_hash == secret_hash(secret), AuthToken.kind == kind)
        .options(joinedload(AuthToken.identity).joinedload(Identity.user))
    )
    if token is None or token.revoked_at is not None or as_utc(token.expires_at) <= utcnow():
        return None
    if token.session_id is not None:
        parent = db.session.get(AuthToken, token.session_id)
        if parent is None or parent.revoked_at is not None:
            return None
    return token


def revoke_session(session_id: int) -> None:
    """Revoke a session and every access token minted from it."""
    db.session.execute(
        update(AuthToken)
        .where(or_(AuthToken.id == session_id, AuthToken.session_id == session_id))
        .where(AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
