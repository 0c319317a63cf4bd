"""The data: sites and their origins, threads (one per page URL), comments."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


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


class Site(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    moderation: Mapped[str] = mapped_column(String(20), default=Moderation.OFF.value)
    guests_allowed: Mapped[bool] = mapped_column(default=True)
    link_limit: Mapped[int] = mapped_column(default=2)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    origins: Mapped[list[SiteOrigin]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteOrigin.id"
    )

    __table_args__ = (
        CheckConstraint(
            "moderation IN ('off', 'links', 'first-time', 'all')", name="moderation_mode"
        ),
    )

    @property
    def origin_list(self) -> list[str]:
        return [o.origin for o in self.origins]


class SiteOrigin(db.Model):
    """A scheme://host[:port] that may embed the site's threads."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(255))

    site: Mapped[Site] = relationship(back_populates="origins")

    __table_args__ = (UniqueConstraint("site_id", "origin"),)


class Thread(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    url_key: Mapped[str] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(300), default="")
    published_count: Mapped[int] = mapped_column(default=0)
    last_comment_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()

    __table_args__ = (UniqueConstraint("site_id", "url_key"),)


class Comment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    author_name: Mapped[str] = mapped_column(String(100))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    author_url: Mapped[str] = mapped_column(String(2048), default="")
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.PUBLISHED.value)
    # SHA-256 of the secret handed to a guest, so that they alone may edit later.
    edit_key_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    thread: Mapped[Thread] = relationship()

    __table_args__ = (
        Index("ix_comment_thread_status_created", "thread_id", "status", "created_at"),
        Index("ix_comment_author_email", "author_email"),
        CheckConstraint(
            "status IN ('published', 'pending', 'spam', 'deleted')", name="comment_status"
        ),
    )

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING.value
