"""Importing a site's old comments: the upload form, and the jobs' progress and reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from ..errors import Rejected
from ..extensions import db
from ..importers import jobs
from ..models import ImportJob
from ..uploads import takes_upload
from .access import current_owner, login_required, owned_site
from .forms import ImportForm
from .views import bp, form_error


@bp.route("/sites/<int:site_id>/import", methods=["GET", "POST"])
@login_required
@takes_upload("WIDGET_IMPORT_MAX_MB")  # an export is far larger than any other form
def site_import(site_id: int) -> Response | tuple[str, int]:
    site = owned_site(site_id, role="owner")
    form = ImportForm()
    if form.validate_on_submit():
        options = {
            "maps": [line.strip() for line in (form.maps.data or "").splitlines() if line.strip()],
            "pings": bool(form.pings.data),
            "dry_run": bool(form.dry_run.data),
        }
        try:
            job = jobs.start(site, current_owner(), request.files.get("file") or FileStorage(),
                             form.format.data or "auto", options)  # fmt: skip
        except Rejected as error:
            form_error(form, error)
        else:
            flash(f"Importing {job.filename}: this page shows how far it has got.", "info")
            return redirect(url_for("dashboard.import_job", site_id=site.id, job_id=job.id))
    return render_template(
        "dashboard/import.html", form=form, jobs=jobs.recent(site)
    ), 400 if form.errors else 200


@bp.get("/sites/<int:site_id>/imports/<int:job_id>")
@login_required
def import_job(site_id: int, job_id: int) -> str:
    site = owned_site(site_id, role="owner")
    job = db.session.get(ImportJob, job_id)
    if job is None or job.site_id != site.id:
        abort(404)
    return render_template("dashboard/import_job.html", job=job)
