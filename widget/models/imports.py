"""Where imported comments came from, and the imports owners started in the dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, utcnow


class CommentSource(Model):
    """The source and the source's own id of an imported comment: a second run of the same
    import finds it here and adds nothing."""

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))  # wordpress, disqus, isso, widget
    source_key: Mapped[str] = mapped_column(String(255))

    __table_args__ = (UniqueConstraint("site_id", "source", "source_key"),)


class ImportJob(Model):
    """A file an owner uploaded, imported in the background (importers/jobs.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    format: Mapped[str] = mapped_column(String(20), default="auto")
    state: Mapped[str] = mapped_column(String(10), default="queued")
    # What the owner chose: {"maps": ["OLD=NEW", ...], "pings": bool, "dry_run": bool}.
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Comments read so far, and how many the file holds once it has been read through.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name="import_job_state"
        ),
    )
