"""Spam checks on guests' comments from the widget's form: a honeypot field, a minimum time
between showing the form and posting it, and (optionally) Akismet.

Nothing is silently dropped: a comment that fails a check is kept for the owner, as pending
(too quick, no form token) or as spam (honeypot, Akismet), and the poster gets the same 202 as
any held comment.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from . import akismet
from .models import Site, Status

HONEYPOT_FIELD = "homepage"  # hidden from people, tempting to form-filling bots
_SALT = "widget.comment-form"


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
    """A signed note of when the form was shown; handed to the widget on each page view."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(time.time())


def _shown_at(token: object) -> float | None:
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        shown = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).loads(token)
    except BadSignature:
        return None
    return float(shown) if isinstance(shown, int | float) else None


def verdict(site: Site, submission: Submission, *, name: str, email: str, website: str,
            body: str, page_url: str) -> str | None:  # fmt: skip
    """The status a guest's comment must be held at, or None if it passes every check."""
    if not enabled():
        return None
    if submission.honeypot:
        return Status.SPAM.value
    shown = _shown_at(submission.form_token)
    minimum = current_app.config["WIDGET_SPAM_MIN_SECONDS"]
    if shown is None or time.time() - shown < minimum or time.time() - shown > 86400:
        return Status.PENDING.value
    if akismet.configured() and akismet.is_spam(
        blog=site.origin_list[0], page_url=page_url, ip=submission.ip,
        user_agent=submission.user_agent, referrer=submission.referrer,
        name=name, email=email, website=website, body=body,
    ):  # fmt: skip
        return Status.SPAM.value
    return None


def settings(environ: Mapping[str, str]) -> dict[str, object]:
    """The WIDGET_* spam settings found in the environment, with defaults."""
    from .config import env_flag

    return {
        "WIDGET_SPAM_CHECKS": env_flag("WIDGET_SPAM_CHECKS", True),
        "WIDGET_SPAM_MIN_SECONDS": float(environ.get("WIDGET_SPAM_MIN_SECONDS", "3")),
        "WIDGET_AKISMET_KEY": environ.get("WIDGET_AKISMET_KEY", ""),
        "WIDGET_AKISMET_URL": environ.get("WIDGET_AKISMET_URL", "https://rest.akismet.com"),
    }
