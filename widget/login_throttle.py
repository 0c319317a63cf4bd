"""Password sign-ins per typed email: after a few failures, each further failure doubles the
wait before the next attempt is even checked. It counts in the database, so every worker and
server shares it, and by email, so guesses spread over many addresses wait all the same.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from .digests import peppered_hash
from .errors import Rejected
from .expiry import delete_expired
from .extensions import db
from .models import LoginThrottle, as_utc, utcnow

FREE_FAILURES = 5  # a person mistyping: no wait
FIRST_WAIT = timedelta(minutes=1)  # after the 5th failure; doubled after each one more
LONGEST_WAIT = timedelta(hours=1)
FORGOTTEN_AFTER = timedelta(days=1)  # with no failure for this long, the count starts again


class BackingOff(Rejected):
    """Too many failures for this email: no password is checked until `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            "password", "Too many failed sign-ins for this account. Try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.", code="backing_off", status=429,
        )  # fmt: skip
        self.retry_after = retry_after


def _key(email: str) -> str:
    # The typed email, as owners.find_owner reads it; peppered, so typos are not kept.
    return peppered_hash("login", email.strip().lower())


def wait_after(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES, 20)
    return min(FIRST_WAIT * (1 << doublings), LONGEST_WAIT)


def begin(email: str) -> LoginThrottle:
    """This email's count, locked until the attempt's end (failed or succeeded commits), so
    that a burst of simultaneous guesses is checked one at a time and each sees the wait the
    previous one caused; BackingOff while it must wait, whatever password comes with it."""
    key = _key(email)
    # Read afresh under the row's lock (PostgreSQL; SQLite's write lock is held already).
    row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(LoginThrottle(email_hash=key, failures=0, last_failure_at=utcnow()))
        except IntegrityError:  # a simultaneous attempt for the same email wrote it first
            pass
        row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None
    if row.locked_until is not None:
        left = (as_utc(row.locked_until) - utcnow()).total_seconds()
        if left > 0:
            db.session.rollback()
            raise BackingOff(int(left) + 1)
    return row


def failed(row: LoginThrottle) -> None:
    """Count a failure; from the FREE_FAILURES-th on, the next attempt waits."""
    now = utcnow()
    if as_utc(row.last_failure_at) < now - FORGOTTEN_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    wait = wait_after(row.failures)
    row.locked_until = now + wait if wait else None
    delete_expired(LoginThrottle.email_hash, LoginThrottle.last_failure_at, now - FORGOTTEN_AFTER)
    db.session.commit()


def succeeded(row: LoginThrottle) -> None:
    db.session.delete(row)
    db.session.commit()
