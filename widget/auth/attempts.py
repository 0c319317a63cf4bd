"""Login attempts: started by the iframe, finished in a first-party popup, redeemed by the iframe.

The popup hands nothing secret back. The iframe proves it is the one that started the attempt
with the verifier whose SHA-256 it sent at the start, so a sign-in link forwarded to someone
else can never give its sender that person's account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ..digests import secret_hash
from ..errors import Rejected
from ..extensions import db
from ..models import Identity, LoginAttempt, Site, as_utc, utcnow
from . import tokens
from .identities import upsert_identity
from .profiles import Profile

ATTEMPT_LIFETIME = timedelta(minutes=10)  # time to get through the provider's pages
REDEEM_WINDOW = timedelta(minutes=2)  # a finished attempt must be redeemed within this
_B64URL = re.compile(r"^[A-Za-z0-9_-]{43}$")


def challenge_of(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


@dataclass(frozen=True)
class Started:
    attempt: LoginAttempt
    start_token: str


def create(site: Site, provider: str, challenge: object) -> Started:
    if not isinstance(challenge, str) or not _B64URL.match(challenge):
        raise Rejected(
            "challenge", "challenge must be base64url(SHA-256(verifier)), 43 characters."
        )
    start_token = secrets.token_urlsafe(32)
    attempt = LoginAttempt(
        id=secrets.token_urlsafe(32),
        site_id=site.id,
        provider=provider,
        challenge=challenge,
        start_token_hash=secret_hash(start_token),
        expires_at=utcnow() + ATTEMPT_LIFETIME,
    )
    db.session.add(attempt)
    db.session.commit()
    return Started(attempt, start_token)


def _live(attempt_id: object) -> LoginAttempt:
    attempt = db.session.get(LoginAttempt, attempt_id) if isinstance(attempt_id, str) else None
    if attempt is None or as_utc(attempt.expires_at) <= utcnow():
        raise Rejected("attempt", "This sign-in has expired. Start again.", code="expired",
                       status=410)  # fmt: skip
    return attempt


def start(attempt_id: object, start_token: object) -> LoginAttempt:
    """Mark the attempt started, once, by the holder of its start token."""
    attempt = _live(attempt_id)
    if (
        not isinstance(start_token, str)
        or not hmac.compare_digest(secret_hash(start_token), attempt.start_token_hash)
        or attempt.status != "new"
    ):
        raise Rejected("attempt", "This sign-in cannot be started again.", code="forbidden",
                       status=403)  # fmt: skip
    attempt.status = "started"
    db.session.commit()
    return attempt


def complete(attempt_id: str, profile: Profile) -> Identity:
    """The provider vouched for this person: remember them and finish the attempt."""
    attempt = _live(attempt_id)
    if attempt.status != "started" or attempt.provider != profile.provider:
        raise Rejected("attempt", "This sign-in was not started here.", code="forbidden",
                       status=403)  # fmt: skip
    identity = upsert_identity(profile)
    attempt.status = "done"
    attempt.identity_id = identity.id
    attempt.expires_at = utcnow() + REDEEM_WINDOW
    db.session.commit()
    return identity


def fail(attempt_id: str, message: str) -> None:
    attempt = db.session.get(LoginAttempt, attempt_id)
    if attempt is not None and attempt.status in ("new", "started"):
        attempt.status = "failed"
        attempt.error = message[:300]
        db.session.commit()


@dataclass(frozen=True)
class Redeemed:
    identity: Identity
    session: tokens.Issued
    access: tokens.Issued


@dataclass(frozen=True)
class Failed:
    """The reader cancelled, or the provider would not vouch for them: an outcome, not an error."""

    message: str


def redeem(attempt_id: object, verifier: object) -> Redeemed | Failed | None:
    """Trade a finished attempt for tokens, once; None while the reader is still signing in."""
    attempt = _live(attempt_id)
    if not isinstance(verifier, str) or not hmac.compare_digest(
        challenge_of(verifier), attempt.challenge
    ):
        raise Rejected("verifier", "This sign-in belongs to another window.", code="forbidden",
                       status=403)  # fmt: skip
    if attempt.status == "failed":
        failed = Failed(attempt.error or "Sign-in did not finish.")
        db.session.delete(attempt)
        db.session.commit()
        return failed
    if attempt.status != "done" or attempt.identity_id is None:
        return None
    identity = db.session.get(Identity, attempt.identity_id)
    assert identity is not None
    db.session.delete(attempt)  # single use
    session = tokens.issue_session(identity.id, attempt.site_id)
    access = tokens.issue_access(session.token)
    db.session.commit()
    return Redeemed(identity, session, access)
