"""Email the service sends: the outbox a worker sends from, and the readers who asked to be
told of replies (a subscriber per address and site, a subscription per comment they watch)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow


class MailState(enum.StrEnum):
    QUEUED = "queued"  # waits for its next attempt (next_attempt_at)
    SENDING = "sending"  # claimed by a worker until lease_until; after that, anyone's again
    SENT = "sent"
    DEAD = "dead"  # gave up after the last attempt: the owner sees it (`widget mail status`)


class OutboxMail(Model):
    """One email to send, written in the transaction that wants it sent. Everything of the
    message is fixed here (its Message-ID and Date too), so that a resend after a crash is the
    same message, which a receiving server can recognise."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    # What the email is about ("confirm:<subscriber>:<day>", "reply:<comment>:<subscriber>"):
    # the same event queued twice is one email.
    purpose: Mapped[str] = mapped_column(String(100), unique=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    # Extra headers (List-Unsubscribe...), as [name, value] pairs.
    headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=MailState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Who holds it while sending, and until when: a worker that died lets go by the clock.
    claimed_by: Mapped[str] = mapped_column(String(40), default="")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # What a worker looks for: queued and due, or sending with its lease run out.
        Index("ix_outbox_mail_state_due", "state", "next_attempt_at"),
        CheckConstraint("state IN ('queued', 'sending', 'sent', 'dead')", name="outbox_mail_state"),
    )


class Subscriber(Model):
    """An address that asked a site for reply emails. Nothing but the confirmation request is
    sent to it until its owner follows the link in it (double opt-in), at most one such request
    a day, and nothing at all once it unsubscribed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    # SHA-256 of the token in its links (notify/subscriptions.py derives the token).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("site_id", "email"),)


class Subscription(Model):
    """A comment whose replies its subscriber is emailed, once confirmed: by the link of a
    confirmation email followed after it was made, or by a provider's verified email. (That
    the address was confirmed for another comment is not enough: anyone may type it.)"""

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    subscriber: Mapped[Subscriber] = relationship()

    __table_args__ = (UniqueConstraint("comment_id", "subscriber_id"),)
