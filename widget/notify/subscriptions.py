"""Who asked for reply emails: double opt-in, and no relay.

A guest who ticks the form's box becomes a Subscriber of the site, and the comment one of its
Subscriptions, both unconfirmed: the only email such an address is ever sent is the request to
confirm, which carries nothing a stranger wrote (the site's name and the page's title), and at
most one a day however many posts name it. Following its link confirms the address and every
subscription it has so far; a subscription a guest makes later waits for the next link, since
anyone may type an address that was confirmed once, and would otherwise have replies to their
own comment relayed to it. A signed-in reader whose provider verified their address is
confirmed at once. Nothing more is sent to an address once it unsubscribed, whatever is posted
in its name.

The token in a subscriber's links is the HMAC of who they are under the operator's pepper
(digests.py), so every email can carry it while the database keeps only its SHA-256.
"""

from __future__ import annotations

from datetime import timedelta

from flask import has_request_context
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..digests import peppered_hash, secret_hash
from ..extensions import db
from ..models import (
    Comment,
    Identity,
    MailState,
    OutboxMail,
    Status,
    Subscriber,
    Subscription,
    Thread,
    utcnow,
)
from ..transactions import begin_writing, take_write_lock
from . import letters, outbox

CONFIRMATION_EVERY = timedelta(days=1)


def link_token(site_id: int, email: str) -> str:
    return peppered_hash("notify-link", f"{site_id}:{email}")


def subscribe_author(comment: Comment, viewer: Identity | None = None) -> Subscriber | None:
    """The author of `comment` (just posted) asked to be emailed its replies: their address
    is subscribed to it, confirmed at once if `viewer`'s provider verified it, else asked for
    confirmation (once a day at most). None when nothing is kept: no mail server, no address,
    a comment taken for spam, or an address that unsubscribed."""
    email = comment.author_email
    if not mail.configured() or not email or comment.status == Status.SPAM.value:
        return None
    verified = viewer is not None and viewer.email_verified and viewer.email.lower() == email
    thread = db.session.get(Thread, comment.thread_id)
    assert thread is not None
    _begin_writing()
    subscriber = _subscriber_for(thread.site_id, email)
    now = utcnow()
    if verified:
        # Their own choice, proven by their provider: even after an unsubscribe.
        if subscriber.confirmed_at is None or subscriber.unsubscribed_at is not None:
            subscriber.confirmed_at, subscriber.unsubscribed_at = now, None
    elif subscriber.unsubscribed_at is not None:
        db.session.commit()
        return None
    subscription = Subscription(
        subscriber_id=subscriber.id,
        thread_id=thread.id,
        comment_id=comment.id,
        confirmed_at=now if verified else None,
    )
    db.session.add(subscription)
    if not verified:
        _ask_for_confirmation(subscriber, thread)
    db.session.commit()
    return subscriber


def _begin_writing() -> None:
    """SQLite's write lock from here on, in a request (begin_writing) or not."""
    if has_request_context():
        begin_writing()
    elif not db.session().in_transaction():
        take_write_lock()


def _subscriber_for(site_id: int, email: str) -> Subscriber:
    query = select(Subscriber).where(Subscriber.site_id == site_id, Subscriber.email == email)
    subscriber = db.session.scalar(query)
    if subscriber is None:
        try:
            with db.session.begin_nested():
                token_hash = secret_hash(link_token(site_id, email))
                subscriber = Subscriber(site_id=site_id, email=email, token_hash=token_hash)
                db.session.add(subscriber)
        except IntegrityError:
            subscriber = db.session.scalar(query)  # another request made it meanwhile
            assert subscriber is not None
    return subscriber


def _ask_for_confirmation(subscriber: Subscriber, thread: Thread) -> None:
    now = utcnow()
    # One conditional UPDATE: of two posts at once naming the address, one asks.
    asked = db.session.execute(
        update(Subscriber)
        .where(
            Subscriber.id == subscriber.id,
            Subscriber.unsubscribed_at.is_(None),
            or_(
                Subscriber.confirmation_sent_at.is_(None),
                Subscriber.confirmation_sent_at <= now - CONFIRMATION_EVERY,
            ),
        )
        .values(confirmation_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if asked.rowcount != 1:  # type: ignore[attr-defined]
        return
    token = link_token(subscriber.site_id, subscriber.email)
    letter = letters.confirmation(subscriber.email, thread, token)
    outbox.enqueue(letter, f"confirm:{subscriber.id}:{now.isoformat()}", subscriber.site_id)


def by_token(token: str) -> Subscriber | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Subscriber).where(Subscriber.token_hash == secret_hash(token)))


def confirm(subscriber: Subscriber) -> None:
    """The address's owner followed the link: replies to the comments it was subscribed to so
    far are emailed from now on (unless they unsubscribed since, which this does not undo)."""
    now = utcnow()
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
    db.session.execute(
        update(Subscription)
        .where(Subscription.subscriber_id == subscriber.id, Subscription.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def unsubscribe(subscriber: Subscriber) -> None:
    """No more email of this site to this address, not even what is queued for it."""
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = utcnow()
    db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.site_id == subscriber.site_id,
            OutboxMail.recipient == subscriber.email,
            OutboxMail.state == MailState.QUEUED.value,
        )
    )
    db.session.commit()


def queue_reply_emails(reply_id: int) -> int:
    """Emails to the confirmed subscribers of the comment `reply_id` answers (not to its own
    author), queued and committed: how many."""
    _begin_writing()
    reply = db.session.get(Comment, reply_id)
    if reply is None or reply.status != Status.PUBLISHED.value or reply.parent_id is None:
        db.session.rollback()
        return 0
    thread = db.session.get(Thread, reply.thread_id)
    assert thread is not None
    subscribers = db.session.scalars(
        select(Subscriber)
        .join(Subscription, Subscription.subscriber_id == Subscriber.id)
        .where(
            Subscription.comment_id == reply.parent_id,
            Subscription.confirmed_at.is_not(None),
            Subscriber.unsubscribed_at.is_(None),
            Subscriber.email != reply.author_email,
        )
    ).all()
    for subscriber in subscribers:
        token = link_token(subscriber.site_id, subscriber.email)
        letter = letters.reply(subscriber.email, thread, reply, token)
        outbox.enqueue(letter, f"reply:{reply.id}:{subscriber.id}", subscriber.site_id)
    db.session.commit()
    return len(subscribers)
