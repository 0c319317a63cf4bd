"""The data, one module per concern; every model is named here, so `from widget.models import
Site` finds it, and importing the package maps every table (Alembic's autogenerate sees them)."""

from .base import Model, as_utc, utcnow
from .imports import CommentSource, ImportJob
from .notifications import MailState, OutboxMail, Subscriber, Subscription
from .owners import Invite, LoginThrottle, Owner, OwnerIdentity, OwnerSession, SiteOwner
from .readers import AuthToken, Identity, LoginAttempt, User
from .sites import (
    SPAM_AT,
    SPAM_HOLD_AT,
    Block,
    Comment,
    Moderation,
    Site,
    SiteOrigin,
    SpentFormToken,
    Status,
    Thread,
)
from .spam import SpamFeature, SpamLesson

__all__ = [
    "SPAM_AT",
    "SPAM_HOLD_AT",
    "AuthToken",
    "Block",
    "Comment",
    "CommentSource",
    "Identity",
    "ImportJob",
    "Invite",
    "LoginAttempt",
    "LoginThrottle",
    "MailState",
    "Model",
    "Moderation",
    "OutboxMail",
    "Owner",
    "OwnerIdentity",
    "OwnerSession",
    "Site",
    "SiteOrigin",
    "SiteOwner",
    "SpamFeature",
    "SpamLesson",
    "SpentFormToken",
    "Status",
    "Subscriber",
    "Subscription",
    "Thread",
    "User",
    "as_utc",
    "utcnow",
]
