"""The data: sites and their origins, threads (one per page URL), comments."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .extensions import Base, db

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time from Base: the checker sees Base's typing.
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class Moderation(enum.StrEnum):
    """What a site holds back for an owner to approve."""

    OFF = "off"
    LINKS = "links"  # comments with more links than the site's limit
    FIRST_TIME = "first-time"  # a guest's comments until one of theirs was approved
    ALL = "all"


class Status(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"
    SPAM = "spam"
    DELETED = "deleted"


class Site(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    moderation: Mapped[str] = mapped_column(String(20), default=Moderation.OFF.value)
    guests_allowed: Mapped[bool] = mapped_column(default=True)
    link_limit: Mapped[int] = mapped_column(default=2)
    # Providers the owner turned off; a new site offers every configured one.
    disabled_providers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Bumped when any setting changes: every thread page of the site shows it (embed/versions.py).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Words that hold a comment for approval, whatever the moderation mode.
    held_words: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # The widget's colours when the snippet does not choose: light, dark, or the reader's.
    theme: Mapped[str] = mapped_column(String(10), default="auto", server_default="auto")
    # How many levels a thread nests, its top-level comments being the first (WordPress's
    # "thread comments N levels deep"): a reply past it joins the deepest level allowed.
    reply_depth: Mapped[int] = mapped_column(default=5, server_default="5")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    origins: Mapped[list[SiteOrigin]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteOrigin.id"
    )

    __table_args__ = (
        CheckConstraint(
            "moderation IN ('off', 'links', 'first-time', 'all')", name="moderation_mode"
        ),
        CheckConstraint("theme IN ('auto', 'light', 'dark')", name="site_theme"),
        CheckConstraint("reply_depth BETWEEN 1 AND 10", name="site_reply_depth"),
    )

    @property
    def origin_list(self) -> list[str]:
        return [o.origin for o in self.origins]


class SiteOrigin(Model):
    """A scheme://host[:port] that may embed the site's threads."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(255))

    site: Mapped[Site] = relationship(back_populates="origins")

    __table_args__ = (UniqueConstraint("site_id", "origin"),)


class Thread(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    url_key: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(300), default="")
    published_count: Mapped[int] = mapped_column(default=0)
    # Bumped by every change a reader could see (embed/versions.py): the page cache's key.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    last_comment_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()

    __table_args__ = (
        UniqueConstraint("site_id", "url_key"),
        # The dashboard lists a site's threads by last activity or by count, a page at a time.
        Index("ix_thread_site_activity", "site_id", "last_comment_at", "id"),
        Index("ix_thread_site_count", "site_id", "published_count", "id"),
    )


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


class Comment(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    # The top-level comment this one answers, however deep: a page of top-level comments gets
    # all its replies in one query (set on insert, below).
    root_id: Mapped[int | None] = mapped_column(index=True)
    # A signed-in author; guests have none and only the author_* fields.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20), default="")
    author_name: Mapped[str] = mapped_column(String(100))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    author_url: Mapped[str] = mapped_column(String(2048), default="")
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.PUBLISHED.value)
    # Why it has its status: the moderation rule's code, or "owner" (comments/verdicts.py).
    status_reason: Mapped[str | None] = mapped_column(String(32))
    # SHA-256 of the secret handed to a guest, so that they alone may edit later.
    edit_key_hash: Mapped[str] = mapped_column(String(64), default="")
    # The site owner who wrote it from the dashboard: shown with an owner badge.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"))
    # The poster's IP, peppered and hashed (blocks.digest): enough to block it, never to read it.
    ip_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    thread: Mapped[Thread] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_comment_thread_status_created", "thread_id", "status", "created_at"),
        Index("ix_comment_author_email", "author_email"),
        # The moderation queue: what is pending, newest first.
        Index("ix_comment_status_created", "status", "created_at"),
        CheckConstraint(
            "status IN ('published', 'pending', 'spam', 'deleted')", name="comment_status"
        ),
    )


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


class SpentFormToken(Model):
    """The nonce of a comment form token already used for a post: each token passes once."""

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    # When the token would be too old anyway, and the row can go.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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


class Block(Model):
    """A guest email, a signed-in user or an IP whose new comments a site refuses or holds.

    The value is kept only as a peppered hash (blocks.digest); `label` is what the owner sees.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    value_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(10), default="refuse")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("site_id", "kind", "value_hash"),
        CheckConstraint("kind IN ('email', 'user', 'ip')", name="block_kind"),
        CheckConstraint("action IN ('refuse', 'hold')", name="block_action"),
    )


@event.listens_for(Comment, "before_insert")
def _set_root(_mapper, connection, comment: Comment) -> None:  # type: ignore[no-untyped-def]
    if comment.parent_id is None or comment.root_id is not None:
        return
    parent = connection.execute(
        select(Comment.id, Comment.root_id).where(Comment.id == comment.parent_id)
    ).first()
    if parent is not None:
        comment.root_id = parent.root_id or parent.id
