"""Imports owners start from the dashboard: the same import as `widget import`, run away from
the request that uploaded the file.

The file is kept under the instance folder (owner-only permissions) until its import ends, and
a thread of the worker that received it runs the import, writing its progress on the job's row
for the dashboard's page to show. A worker that stops mid-import leaves whole threads (the store
step commits a thread or none) and a job still "running"; running the upload again finishes it,
adding nothing twice.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..errors import Rejected
from ..extensions import db
from ..models import ImportJob, Owner, Site, utcnow
from .formats import FORMATS, detect
from .pages import parse_mapping
from .records import ParseError
from .store import Options, import_file

log = logging.getLogger(__name__)
UPLOADS = "imports"
RECENT_JOBS = 10


def start(
    site: Site, owner: Owner | None, upload: FileStorage, format_name: str, options: dict[str, Any]
) -> ImportJob:
    """Keeps the upload, records the job and starts it. `options` are checked here, so that
    a mistake is shown on the form rather than found by the job."""
    if format_name != "auto" and format_name not in FORMATS:
        raise Rejected("format", f"Choose one of: auto, {', '.join(FORMATS)}.")
    for text in options.get("maps", []):
        try:
            parse_mapping(text)
        except ValueError as exc:
            raise Rejected("maps", str(exc)) from None
    if not upload.filename:
        raise Rejected("file", "Choose the export file to import.")
    job = ImportJob(
        site_id=site.id,
        owner_id=owner.id if owner else None,
        filename=os.path.basename(upload.filename)[:255],
        format=format_name,
        options=options,
    )
    db.session.add(job)
    db.session.flush()
    path = _path(job.id)
    path.touch(mode=0o600)  # before the upload is written into it
    upload.save(path)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=run, args=(app, job.id), name=f"import-{job.id}", daemon=True).start()
    return job


def _path(job_id: int) -> Path:
    folder = Path(current_app.instance_path) / UPLOADS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"{job_id}.upload"


def run(app: Flask, job_id: int) -> None:
    """Runs the job to its end, whatever happens: its row says done or failed, and why."""
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        if job is None or job.state != "queued":
            return
        job.state = "running"
        db.session.commit()
        path = _path(job.id)
        try:
            job.report = _import(job, path)
            job.state = "done"
        except (ParseError, Rejected) as exc:
            db.session.rollback()
            job.state, job.error = "failed", str(exc)
        except Exception:
            log.exception("import job %s failed", job_id)
            db.session.rollback()
            job.state = "failed"
            job.error = (
                "The import stopped on an unexpected error; the threads it finished are kept."
            )
        finally:
            path.unlink(missing_ok=True)
            job.finished_at = utcnow()
            db.session.commit()
            db.session.remove()


def _import(job: ImportJob, path: Path) -> dict[str, Any]:
    site = db.session.get(Site, job.site_id)
    if site is None:
        raise Rejected("site", "The site was deleted.")
    fmt = detect(path) if job.format == "auto" else FORMATS[job.format]
    options = Options(
        [parse_mapping(m) for m in job.options.get("maps", [])],
        dry_run=bool(job.options.get("dry_run")),
        pings=bool(job.options.get("pings")),
    )
    job_id = job.id

    def progress(phase: str, done: int, total: int | None) -> None:
        # Between the store step's transactions: the row is written on its own.
        row = db.session.get(ImportJob, job_id)
        assert row is not None
        row.done, row.total = done, total
        db.session.commit()

    report = import_file(site, path, fmt, options, progress)
    return report.as_dict() | {"lines": report.lines()}


def recent(site: Site) -> list[ImportJob]:
    return list(
        db.session.scalars(
            select(ImportJob)
            .where(ImportJob.site_id == site.id)
            .order_by(ImportJob.id.desc())
            .limit(RECENT_JOBS)
        )
    )
