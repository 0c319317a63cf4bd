"""A site's own counts in the database (models/spam.py): read for the buckets of one comment,
changed by one decision at a time. Nothing is kept in a worker's memory: every worker reads
the same rows, and a restart loses nothing."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Executable

from ..extensions import db
from ..models import SpamFeature, SpamTally, utcnow
from .model import Counts


def site_counts(site_id: int, keys: Collection[int]) -> Counts | None:
    """The site's counts for these buckets only; None if its owner has decided nothing yet."""
    tally = db.session.get(SpamTally, site_id)
    if tally is None or not (tally.spam_docs or tally.ham_docs):
        return None
    counts = Counts(tally.spam_docs, tally.ham_docs)
    rows = db.session.execute(
        select(SpamFeature.bucket, SpamFeature.spam, SpamFeature.ham).where(
            SpamFeature.site_id == site_id, SpamFeature.bucket.in_(list(keys))
        )
    )
    for key, spam, ham in rows:
        if spam:
            counts.spam[key] = spam
        if ham:
            counts.ham[key] = ham
    return counts


def learn(site_id: int, keys: Collection[int], is_spam: bool, times: int = 1) -> None:
    """Add one example (times=1) or take one back (times=-1): one statement for its buckets,
    one for the tally. The caller commits."""
    column = "spam" if is_spam else "ham"
    rows = [{"site_id": site_id, "bucket": k, "spam": 0, "ham": 0, column: times} for k in keys]
    if rows:
        db.session.execute(_adding(rows, column))
    tally = db.session.get(SpamTally, site_id)
    if tally is None:
        tally = SpamTally(site_id=site_id, spam_docs=0, ham_docs=0)
        db.session.add(tally)
    if is_spam:
        tally.spam_docs = max(tally.spam_docs + times, 0)
    else:
        tally.ham_docs = max(tally.ham_docs + times, 0)
    tally.updated_at = utcnow()
    db.session.flush()


def forget(site_id: int) -> None:
    """The site starts again from the base model alone."""
    db.session.execute(delete(SpamFeature).where(SpamFeature.site_id == site_id))
    db.session.execute(delete(SpamTally).where(SpamTally.site_id == site_id))


def stored_buckets(site_id: int) -> int:
    """How many buckets the site's counts fill (a measure of its model's size)."""
    found = db.session.scalar(
        select(func.count()).select_from(SpamFeature).where(SpamFeature.site_id == site_id)
    )
    return int(found or 0)


def _adding(rows: list[dict[str, int]], column: str) -> Executable:
    """INSERT … ON CONFLICT DO UPDATE, spelt alike by SQLite and PostgreSQL but built by each
    one's own module."""
    key = [SpamFeature.site_id, SpamFeature.bucket]
    count = getattr(SpamFeature, column)
    if db.session.get_bind().dialect.name == "postgresql":
        on_pg = postgresql.insert(SpamFeature).values(rows)
        return on_pg.on_conflict_do_update(
            index_elements=key, set_={column: count + on_pg.excluded[column]}
        )
    on_sqlite = sqlite.insert(SpamFeature).values(rows)
    return on_sqlite.on_conflict_do_update(
        index_elements=key, set_={column: count + on_sqlite.excluded[column]}
    )
