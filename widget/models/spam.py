"""What the spam filter learnt for each site from its owner's decisions (spam_filter/).

A site's model is the shipped base model plus these counts: per feature bucket, in how many of
the owner's spam and not-spam decisions a feature there was present, and in bucket -1 how
many decisions of each kind there were (`SpamFeature`). `SpamLesson` keeps what each comment
taught, so that an owner who changes their mind replaces the lesson instead of adding one.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model


class SpamFeature(Model):
    site_id: Mapped[int] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    spam: Mapped[int] = mapped_column(default=0)
    ham: Mapped[int] = mapped_column(default=0)

    # SQLite: the primary key is the table (no second copy of it in a rowid table's index).
    __table_args__ = ({"sqlite_with_rowid": False},)


class SpamLesson(Model):
    """The label a comment taught its site's model, and the behaviour flags it was taught with
    (they were true when it was posted, not now)."""

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    is_spam: Mapped[bool]
    behaviour: Mapped[str] = mapped_column(String(100), default="")
