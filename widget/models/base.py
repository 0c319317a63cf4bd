"""What every model shares: the declarative base as the checker sees it, and UTC times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..extensions import Base, db

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time from Base: the checker sees Base's typing.
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC: SQLite hands back naive the datetimes we store, always in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
