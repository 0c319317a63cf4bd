"""A site and what it holds: its origins, threads (one per page URL), comments, blocks, and
the comment form tokens already spent."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow

if TYPE_CHECKING:
    from .readers import User


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


# The learned spam filter's thresholds for a new site (spam_filter/; tuned on Youtube01-03 for
# a spam verdict that is almost never wrong, and a hold that misses few spam).
SPAM_HOLD_AT, SPAM_AT = 0.25, 0.97


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
    # The learned spam filter (spam_filter/): whether it judges guests' comments, the score
    # from which a comment is held for approval, and the score from which it is kept as spam
    # (checked by sites.py: a CHECK here would make SQLite's migration rebuild the table).
    spam_filter: Mapped[bool] = mapped_column(default=False, server_default="0")
    spam_hold_at: Mapped[float] = mapped_column(default=SPAM_HOLD_AT, server_default="0.25")
    spam_at: Mapped[float] = mapped_column(default=SPAM_AT, server_default="0.97")
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
    # The poster's IP, peppered and hashed (digests.py): enough to block it, never to read it.
    ip_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The spam filter's look at it when posted: {"score", "why": [...], "behaviour": [...]}
    # (spam_filter/scoring.py), shown with its reason; None where the filter did not look.
    spam_check: Mapped[dict[str, object] | None] = mapped_column(JSON)
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


class Block(Model):
    """A guest email, a signed-in user or an IP whose new comments a site refuses or holds.

    The value is kept only as a peppered hash (digests.py); `label` is what the owner sees.
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


class SpentFormToken(Model):
    """The nonce of a comment form token already used for a post: each token passes once."""

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    # When the token would be too old anyway, and the row can go.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


@event.listens_for(Comment, "before_insert")
def _set_root(_mapper, connection, comment: Comment) -> None:  # type: ignore[no-untyped-def]
    if comment.parent_id is None or comment.root_id is not None:
        return
    parent = connection.execute(
        select(Comment.id, Comment.root_id).where(Comment.id == comment.parent_id)
    ).first()
    if parent is not None:
        comment.root_id = parent.root_id or parent.id
