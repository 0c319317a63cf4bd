"""A site's own counts in the database (models/spam.py): read for the buckets of one comment,
changed by one decision at a time. Nothing is kept in a worker's memory: every worker reads
the same rows, and a restart loses nothing."""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable

from ..extensions import db
from ..models import SpamFeature
from .model import Counts

# The row of this bucket (no feature hashes below 0) counts the examples themselves.
TALLY = -1


# A comment's buckets as one parameter, so that the statement is the same whatever their
# number: SQLAlchemy's own IN (…) is built anew for each length, which costs more than the
# lookup itself (bench/spam.py).
_READ = {
    "sqlite": text(
        "SELECT bucket, spam, ham FROM spam_feature WHERE site_id = :site"
        " AND bucket IN (SELECT value FROM json_each(:keys))"
    ),
    "postgresql": text(
        "SELECT bucket, spam, ham FROM spam_feature WHERE site_id = :site"
        " AND bucket = ANY(CAST(:keys AS integer[]))"
    ),
}


def site_counts(site_id: int, keys: Collection[int]) -> Counts | None:
    """The site's counts for these buckets only, in one query; None if its owner has decided
    nothing yet."""
    connection = db.session.connection()
    wanted = [TALLY, *keys]
    dialect = connection.dialect.name
    param: object = json.dumps(wanted) if dialect == "sqlite" else wanted
    rows = connection.execute(_READ[dialect], {"site": site_id, "keys": param})
    counts = Counts()
    for key, spam, ham in rows:
        if key == TALLY:
            counts.spam_docs, counts.ham_docs = max(spam, 0), max(ham, 0)
        else:
            if spam:
                counts.spam[key] = spam
            if ham:
                counts.ham[key] = ham
    return counts if counts.spam_docs or counts.ham_docs else None


def tally(site_id: int) -> tuple[int, int]:
    """How many spam and not-spam examples the site taught."""
    row = db.session.execute(
        select(SpamFeature.spam, SpamFeature.ham).where(
            SpamFeature.site_id == site_id, SpamFeature.bucket == TALLY
        )
    ).first()
    return (row.spam, row.ham) if row else (0, 0)


def learn(site_id: int, keys: Collection[int], is_spam: bool, times: int = 1) -> None:
    """Add one example (times=1) or take one back (times=-1): one statement run for each of
    its buckets and the tally's (compiled once, whatever their number). The caller commits."""
    column = "spam" if is_spam else "ham"
    rows = [
        {"site_id": site_id, "bucket": k, "spam": 0, "ham": 0, column: times}
        for k in (TALLY, *keys)
    ]
    db.session.execute(_adding(column), rows)


def forget(site_id: int) -> None:
    """The site starts again from the base model alone."""
    db.session.execute(delete(SpamFeature).where(SpamFeature.site_id == site_id))


def stored_buckets(site_id: int) -> int:
    """How many buckets the site's counts fill (a measure of its model's size)."""
    found = db.session.scalar(
        select(func.count())
        .select_from(SpamFeature)
        .where(SpamFeature.site_id == site_id, SpamFeature.bucket != TALLY)
    )
    return int(found or 0)


def _adding(column: str) -> Executable:
    """INSERT … ON CONFLICT DO UPDATE, spelt alike by SQLite and PostgreSQL but built by each
    one's own module."""
    key = [SpamFeature.site_id, SpamFeature.bucket]
    count = getattr(SpamFeature, column)
    if db.session.get_bind().dialect.name == "postgresql":
        on_pg = postgresql.insert(SpamFeature)
        return on_pg.on_conflict_do_update(
            index_elements=key, set_={column: count + on_pg.excluded[column]}
        )
    on_sqlite = sqlite.insert(SpamFeature)
    return on_sqlite.on_conflict_do_update(
        index_elements=key, set_={column: count + on_sqlite.excluded[column]}
    )
