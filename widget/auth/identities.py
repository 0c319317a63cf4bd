"""Who signed in with a provider: one Identity (and its User) per provider account, kept up to date.

Reader sign-in (attempts.py) and an owner's provider sign-in (dashboard/sign_in.py) both end here.
"""

from __future__ import annotations

from sqlalchemy import select

from ..comments.validation import author_url
from ..errors import Rejected
from ..extensions import db
from ..models import Identity, User, utcnow
from . import avatars
from .profiles import Profile


def upsert_identity(profile: Profile) -> Identity:
    """The same provider account is the same user; their profile follows the provider's."""
    identity = db.session.scalar(
        select(Identity).where(
            Identity.provider == profile.provider, Identity.subject == profile.subject
        )
    )
    if identity is None:
        user = User(name=profile.name[:100])
        identity = Identity(provider=profile.provider, subject=profile.subject, user=user)
        db.session.add(identity)
    user = identity.user
    user.name = (profile.name or user.name)[:100]
    user.profile_url = _web_address(profile.profile_url)
    user.updated_at = utcnow()
    identity.email = (profile.email or "")[:254]
    identity.email_verified = profile.email_verified
    identity.updated_at = utcnow()
    avatars.want(user, profile.avatar_url)  # fetched once this commits, never waited for
    db.session.flush()
    return identity


def _web_address(url: str | None) -> str:
    """The provider's profile link, if the comment form would take it as a website (it becomes
    the author's link on every page they comment on); else no link."""
    try:
        link = author_url(url)
    except Rejected:
        return ""
    return link if len(link) <= 2048 else ""
