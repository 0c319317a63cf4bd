"""The outbox: email is a row written in the transaction that wants it sent, and a worker
sends it later, so that no mail server, however slow, holds up a request.

- `enqueue` adds the row to the session; it is sent once the caller commits, and never if the
  caller rolls back. Its Message-ID and Date are fixed there: should a worker die after the
  mail server took the message but before it was marked sent, the resend is the same message,
  which receiving servers and clients recognise (at least once, never two different emails).
- A worker claims due rows with a lease (`claimed_by`, `lease_until`) in one conditional
  UPDATE each, so two workers never send one row at once; a row whose lease ran out (its worker
  died) is due again.
- A failed attempt waits twice as long as the one before it; after MAX_ATTEMPTS the row is
  dead, for the operator to see (`widget mail status`, and each site's owner on its settings
  page) and to retry (`widget mail retry`). What was sent is deleted after KEEP_SENT.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from .. import mail
from ..extensions import db
from ..models import MailState, OutboxMail, as_utc, utcnow
from ..transactions import after_commit, take_write_lock

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
BATCH = 20
# Sent email is kept this long (for `widget mail status`, and so that an event announced again
# finds its email already queued), then deleted: it holds readers' addresses and links.
KEEP_SENT = timedelta(days=30)
PRUNE_EVERY = 3600.0  # seconds, in a running worker
_WAKE = "widget.notify.outbox.wake"  # app.extensions: the Event that wakes a worker thread


@dataclass(frozen=True)
class Letter:
    """What an email says, before it is queued."""

    recipient: str
    subject: str
    text: str
    html: str = ""
    headers: tuple[tuple[str, str], ...] = ()


def enqueue(letter: Letter, purpose: str, site_id: int | None = None) -> OutboxMail:
    """Queue `letter` in the current transaction, once per `purpose` (the same event queued
    twice is one email): sent after the caller commits."""
    existing = db.session.scalar(select(OutboxMail).where(OutboxMail.purpose == purpose))
    if existing is not None:
        return existing
    for name, value in ((n, v) for n, v in letter.headers):
        mail.header(name), mail.header(value)  # refused here, not by the worker later
    row = OutboxMail(
        site_id=site_id,
        purpose=purpose,
        recipient=mail.header(letter.recipient),
        subject=mail.header(letter.subject),
        text=letter.text,
        html=letter.html,
        headers=[list(pair) for pair in letter.headers],
        message_id=mail.new_message_id(),
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # Another transaction queued the same purpose between our read and our write.
        again = db.session.scalar(select(OutboxMail).where(OutboxMail.purpose == purpose))
        assert again is not None
        return again
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(lambda: wake(app))
    return row


def wake(app: Flask) -> None:
    """Tell this process's worker thread, if it runs one, that there is mail to send."""
    if (event := app.extensions.get(_WAKE)) is not None:
        event.set()


def retry_wait(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed attempt."""
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def lease() -> timedelta:
    """How long a claim holds: long enough for one slow send (each step of SMTP may take
    WIDGET_SMTP_TIMEOUT), so that only a dead worker's rows are taken over."""
    timeout = float(current_app.config["WIDGET_SMTP_TIMEOUT"])
    return timedelta(seconds=max(60.0, 8 * timeout))


def worker_name() -> str:
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{secrets.token_hex(4)}"


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMail.state == MailState.QUEUED.value, OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.state == MailState.SENDING.value, OutboxMail.lease_until < now),
    )


def _begin_writing_apart() -> None:
    """A transaction of its own with the write lock (SQLite's), for the worker's steps, which
    run outside requests: one that only read is ended first."""
    if db.session().in_transaction():
        db.session.commit()
    take_write_lock()


def claim(worker: str, limit: int = BATCH) -> list[int]:
    """Rows due now, claimed for `worker` (and counted as an attempt), committed: their ids."""
    now = utcnow()
    _begin_writing_apart()
    candidates = db.session.scalars(
        select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.next_attempt_at).limit(limit)
    ).all()
    claimed = [mail_id for mail_id in candidates if claim_row(mail_id, worker, now)]
    db.session.commit()
    return claimed


def claim_row(mail_id: int, worker: str, now: datetime) -> bool:
    """Claim one row for `worker` if it is still due: one conditional UPDATE, so that of two
    workers that both saw it due (PostgreSQL lets them read at once), only one gets it."""
    result = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, _due(now))
        .values(
            state=MailState.SENDING.value,
            claimed_by=worker,
            lease_until=now + lease(),
            attempts=OutboxMail.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def send_claimed(mail_id: int, worker: str) -> bool:
    """Send one row `worker` claimed, and record how it went; True if the server took it."""
    row = db.session.get(OutboxMail, mail_id)
    if row is None or row.claimed_by != worker or row.state != MailState.SENDING.value:
        db.session.rollback()
        return False
    try:
        message = mail.compose(
            row.recipient,
            row.subject,
            row.text,
            row.html,
            message_id=row.message_id,
            date=as_utc(row.created_at),
            headers=[(name, value) for name, value in row.headers],
        )
    except mail.Unsendable as error:
        db.session.rollback()
        _finish(mail_id, worker, MailState.DEAD, error=f"unsendable: {error}")
        return False
    attempts = row.attempts
    db.session.rollback()  # no transaction stays open while the mail server takes its time
    try:
        mail.deliver(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail %s, attempt %s of %s: %r", mail_id, attempts, MAX_ATTEMPTS, error)
        if attempts >= MAX_ATTEMPTS:
            _finish(mail_id, worker, MailState.DEAD, error=repr(error))
        else:
            _finish(mail_id, worker, MailState.QUEUED, error=repr(error),
                    next_attempt_at=utcnow() + retry_wait(attempts))  # fmt: skip
        return False
    _finish(mail_id, worker, MailState.SENT, sent_at=utcnow())
    return True


def _finish(mail_id: int, worker: str, state: MailState, error: str = "", **values: object) -> None:
    _begin_writing_apart()
    # Only while the claim is still ours: a row taken over after our lease ran out is left
    # to the worker that holds it now.
    db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.claimed_by == worker,
            OutboxMail.state == MailState.SENDING.value,
        )
        .values(state=state.value, lease_until=None, last_error=error[:500], **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_due(worker: str) -> int:
    """Claim and send one batch of due rows; how many were claimed."""
    claimed = claim(worker)
    for mail_id in claimed:
        send_claimed(mail_id, worker)
    return len(claimed)


def prune() -> int:
    """Delete what was sent longer than KEEP_SENT ago; how many rows."""
    _begin_writing_apart()
    result = db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.state == MailState.SENT.value, OutboxMail.sent_at < utcnow() - KEEP_SENT
        )
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def work(app: Flask, stop: threading.Event, once: bool = False, poll: float = 5.0) -> None:
    """Send the outbox until `stop` is set (or, `once`, until nothing is due); between rounds,
    wait `poll` seconds or until woken by a new row of this process."""
    worker = worker_name()
    woken = app.extensions.setdefault(_WAKE, threading.Event())
    pruned_at = -PRUNE_EVERY
    while not stop.is_set():
        try:
            with app.app_context():
                if time.monotonic() - pruned_at >= PRUNE_EVERY:
                    prune()
                    pruned_at = time.monotonic()
                claimed = send_due(worker)
        except Exception:
            log.exception("the mail worker's round failed")
            claimed = 0
        if once and claimed == 0:
            return
        if claimed == 0:
            woken.wait(poll)
            woken.clear()


def stop_worker_thread(app: Flask) -> None:
    """Stop the thread start_worker_thread started, if any, waiting for its round to end."""
    running = app.extensions.pop("widget.notify.worker", None)
    if running is not None:
        stop, thread = running
        stop.set()
        wake(app)
        thread.join(timeout=30)


def start_worker_thread(app: Flask) -> None:
    """With WIDGET_MAIL_WORKER and a mail server, a thread in this process sends the outbox
    (the one-machine setup; under several processes each runs one, and the leases keep them
    from sending a row twice). Started at the first request, in the process that serves it
    (after gunicorn forked), and never for a command of the CLI."""
    if not app.config["WIDGET_MAIL_WORKER"] or not app.config.get("WIDGET_SMTP_HOST"):
        return
    starting = threading.Lock()

    @app.before_request
    def _start() -> None:
        if "widget.notify.worker" in app.extensions:
            return
        with starting:
            if "widget.notify.worker" in app.extensions:
                return
            stop = threading.Event()
            app.extensions.setdefault(_WAKE, threading.Event())
            thread = threading.Thread(
                target=work, args=(app, stop), name="widget-mail", daemon=True
            )
            app.extensions["widget.notify.worker"] = (stop, thread)
            thread.start()


def counts(site_id: int | None = None) -> dict[str, int]:
    """How many rows are in each state (of one site's, with `site_id`)."""
    query = select(OutboxMail.state, db.func.count()).group_by(OutboxMail.state)
    if site_id is not None:
        query = query.where(OutboxMail.site_id == site_id)
    rows = db.session.execute(query).all()
    return {state.value: 0 for state in MailState} | {state: n for state, n in rows}


def dead(limit: int = 50, site_id: int | None = None) -> Iterable[OutboxMail]:
    """The rows given up on, newest first (of one site's, with `site_id`)."""
    query = select(OutboxMail).where(OutboxMail.state == MailState.DEAD.value)
    if site_id is not None:
        query = query.where(OutboxMail.site_id == site_id)
    return db.session.scalars(query.order_by(OutboxMail.id.desc()).limit(limit)).all()


def retry_dead() -> int:
    """Every dead row queued again with a fresh count of attempts; how many."""
    _begin_writing_apart()
    result = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.state == MailState.DEAD.value)
        .values(state=MailState.QUEUED.value, attempts=0, next_attempt_at=utcnow(), claimed_by="")
    )
    db.session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
