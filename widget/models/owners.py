"""The people who run sites: owners, their dashboard sessions and linked sign-ins, who may
manage which site, invitations, and the count of failed password sign-ins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow

if TYPE_CHECKING:
    from .readers import Identity
    from .sites import Site


class Owner(Model):
    """A person who runs sites: signs in to the dashboard with email and password."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # werkzeug's scrypt hash; "" until the owner has chosen a password.
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # An admin runs the service: every site is theirs to manage.
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]


class OwnerSession(Model):
    """One browser signed in to the dashboard. Its cookie carries a random token whose hash is
    kept here, so a session ends for good when this row goes (signing out, a new password)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "Firefox on Linux": enough for the owner to tell their browsers apart, no more.
    device: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[Owner] = relationship()


class LoginThrottle(Model):
    """Failed password sign-ins for one typed email (peppered hash), from whatever address:
    what makes the next attempt wait. Kept for unknown emails too, so waiting tells nothing."""

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class SiteOwner(Model):
    """Who may manage a site: `owner` (everything) or `moderator` (comments only)."""

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("owner.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10), default="owner")

    owner: Mapped[Owner] = relationship()
    site: Mapped[Site] = relationship()

    __table_args__ = (CheckConstraint("role IN ('owner', 'moderator')", name="site_owner_role"),)


class OwnerIdentity(Model):
    """A provider identity an owner linked, to sign in to the dashboard with it."""

    identity_id: Mapped[int] = mapped_column(
        ForeignKey("identity.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    identity: Mapped[Identity] = relationship()


class Invite(Model):
    """An emailed link that makes its holder an owner of a site; kept only as a hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default="owner")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    site: Mapped[Site] = relationship()

    __table_args__ = (CheckConstraint("role IN ('owner', 'moderator')", name="invite_role"),)
