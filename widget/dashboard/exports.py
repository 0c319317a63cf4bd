"""The download of a site's comments from its settings page, for its owners only."""

from __future__ import annotations

import tempfile

from flask import request, send_file
from werkzeug.wrappers import Response

from ..errors import Rejected
from ..exporters import FORMATS, export
from ..models import utcnow
from .access import login_required, owned_site
from .views import bp


@bp.get("/sites/<int:site_id>/export")
@login_required
def export_comments(site_id: int) -> Response:
    """The export as an attachment. It is written to a temporary file first, then sent from
    there: memory stays flat whatever the site's size, and a failure half-way gives an error
    page, never a truncated file that looks complete."""
    site = owned_site(site_id, role="owner")
    name = request.args.get("format", "")
    chosen = FORMATS.get(name)
    if chosen is None:
        raise Rejected("format", f"Choose an export format: {', '.join(FORMATS)}.", status=400)
    # A real file is handed to the server's file streaming, which closes (and so deletes) it.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        export(site, chosen.name, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return send_file(
        out,
        mimetype=chosen.mimetype,
        as_attachment=True,
        download_name=chosen.filename(site, utcnow().date()),
        max_age=0,
    )
