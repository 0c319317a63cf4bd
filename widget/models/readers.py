"""Readers who sign in: a person (User), their provider accounts (Identity), the tokens the
iframe holds (AuthToken), and sign-ins under way (LoginAttempt)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Model, utcnow


class User(Model):
    """One person, who may sign in through several provider identities."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    profile_url: Mapped[str] = mapped_column(String(2048), default="")
    # The avatar is fetched once and served from our origin: readers never call a provider.
    avatar: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    avatar_type: Mapped[str] = mapped_column(String(40), default="")
    avatar_version: Mapped[str] = mapped_column(String(16), default="")
    # The provider's picture URL as last seen; fetched in the background (auth/avatars.py).
    avatar_source: Mapped[str] = mapped_column(String(2048), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Identity(Model):
    """An account at a provider; the same provider account is always the same user."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    email_verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("provider", "subject"),)


class AuthToken(Model):
    """A commenter's credential, kept only as a hash.

    A `session` token lives in the iframe's partitioned cookie for weeks; `access` tokens minted
    from it live minutes, in the iframe's memory, and die with it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_token.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[int] = mapped_column(ForeignKey("identity.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    identity: Mapped[Identity] = relationship()

    __table_args__ = (CheckConstraint("kind IN ('session', 'access')", name="token_kind"),)


class LoginAttempt(Model):
    """One sign-in, from the iframe's click to its redeeming the result.

    The iframe keeps a verifier in memory and sent only its SHA-256 (`challenge`), so only it
    can redeem the attempt, whoever finishes the provider's pages.
    """

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    challenge: Mapped[str] = mapped_column(String(64))
    start_token_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="new")
    error: Mapped[str] = mapped_column(String(300), default="")
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identity.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'started', 'done', 'failed')", name="login_attempt_status"
        ),
    )
