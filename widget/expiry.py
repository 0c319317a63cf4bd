"""Rows past their time, deleted a few at a time as a side task of some request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute

from .extensions import db

BATCH = 100


def delete_expired(
    key: InstrumentedAttribute[Any], when: InstrumentedAttribute[Any], before: datetime
) -> None:
    """Delete up to BATCH rows whose `when` is before `before`, identified by `key`.

    Rows another transaction has locked are skipped (PostgreSQL's SKIP LOCKED), so two
    requests cleaning at once never wait for, or deadlock on, each other.
    """
    expired = select(key).where(when < before).limit(BATCH).with_for_update(skip_locked=True)
    db.session.execute(delete(key.class_).where(key.in_(expired)))
