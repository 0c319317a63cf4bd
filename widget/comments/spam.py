"""Spam checks on guests' comments from the widget's form: a honeypot field, a minimum time
between showing the form and posting it, and (optionally) Akismet.

Nothing is silently dropped: a comment that fails a check is kept for the owner, as pending
(too quick, no form token, a token already used) or as spam (honeypot, Akismet), with the check
that failed as its reason, and the poster gets the same 202 as any held comment. The dashboard
lists both (Queue, Spam).

A form token passes once: its random nonce is written to the database with the comment, under a
unique key, so a bot that reuses one token for a flood, even through many workers at the same
instant, gets one comment past the check at most. Each post's answer carries a fresh token.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from ..expiry import delete_expired
from ..extensions import db
from ..models import Site, SpentFormToken, Status, utcnow
from ..transactions import begin_writing
from . import akismet
from .verdicts import Reason, Verdict

HONEYPOT_FIELD = "homepage"  # hidden from people, tempting to form-filling bots
_SALT = "widget.comment-form"
TOKEN_LIFETIME = 86400.0  # seconds a page view's form may stay open


@dataclass(frozen=True)
class Submission:
    """What the checks look at, besides the comment's own fields."""

    form_token: object = None
    honeypot: object = None
    ip: str | None = None
    user_agent: str = ""
    referrer: str = ""


def enabled() -> bool:
    return bool(current_app.config["WIDGET_SPAM_CHECKS"])


def form_token() -> str:
    """A signed note of when the form was shown, with a nonce that lets it pass only once;
    handed to the widget on each page view and with each post's answer."""
    return _signer().dumps({"t": time.time(), "n": secrets.token_urlsafe(16)})


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


@dataclass(frozen=True)
class _Shown:
    at: float
    nonce: str


def _shown(token: object) -> _Shown | None:
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        shown = _signer().loads(token)
    except BadSignature:
        return None
    if not isinstance(shown, dict):
        return None  # (a token of the old kind, a bare time, had no nonce: as good as none)
    at, nonce = shown.get("t"), shown.get("n")
    if not isinstance(at, int | float) or not isinstance(nonce, str) or not 16 <= len(nonce) <= 32:
        return None
    return _Shown(float(at), nonce)


def _spend(shown: _Shown) -> bool:
    """Record the token as used, in the transaction that stores the comment (so a post that
    fails keeps it usable); False if it was used before. The unique key decides between two
    posts at the same moment: the second waits for the first and then fails to insert."""
    begin_writing()  # SQLite: the write lock from here on, as the comment's writing would take
    now = utcnow()
    delete_expired(SpentFormToken.nonce, SpentFormToken.expires_at, now)
    expires = datetime.fromtimestamp(shown.at + TOKEN_LIFETIME, UTC)
    try:
        with db.session.begin_nested():
            db.session.add(SpentFormToken(nonce=shown.nonce, expires_at=expires))
    except IntegrityError:
        return False
    return True


def verdict(site: Site, submission: Submission, *, name: str, email: str, website: str,
            body: str, page_url: str) -> Verdict | None:  # fmt: skip
    """The status a guest's comment must be held at and why, or None if it passes every
    check. The checks run in this order, and the first that fails is the verdict."""
    if not enabled():
        return None
    if submission.honeypot:
        return Verdict(Status.SPAM.value, Reason.HONEYPOT)
    shown = _shown(submission.form_token)
    if shown is None:
        return Verdict(Status.PENDING.value, Reason.NO_TOKEN)
    minimum = current_app.config["WIDGET_SPAM_MIN_SECONDS"]
    waited = time.time() - shown.at
    if not minimum <= waited <= TOKEN_LIFETIME:
        return Verdict(Status.PENDING.value,
                       Reason.TOO_QUICK if waited < minimum else Reason.STALE_TOKEN)  # fmt: skip
    if akismet.configured() and akismet.is_spam(
        blog=site.origin_list[0], page_url=page_url, ip=submission.ip,
        user_agent=submission.user_agent, referrer=submission.referrer,
        name=name, email=email, website=website, body=body,
    ):  # fmt: skip
        _spend(shown)
        return Verdict(Status.SPAM.value, Reason.AKISMET)
    # Last, after Akismet's seconds: from here on the request holds SQLite's write lock.
    return None if _spend(shown) else Verdict(Status.PENDING.value, Reason.REPLAYED_TOKEN)
