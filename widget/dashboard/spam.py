"""A site's spam: what the spam checks (honeypot, Akismet) or an owner held as spam, so that a
false positive is never lost. "Not spam" lets it through as the site's rules would have."""

from __future__ import annotations

from flask import flash, render_template, request, url_for
from werkzeug.wrappers import Response

from ..comments import moderation
from ..models import Status
from . import listing
from .access import login_required, owned_comment, owned_site
from .forms import ActionForm
from .threads import act_on_many
from .views import back, bp

RELEASED = {
    Status.PUBLISHED.value: "Not spam: readers see it now.",
    Status.PENDING.value: "Not spam: it waits in the queue, as the site's rules hold it.",
}


@bp.get("/sites/<int:site_id>/spam")
@login_required
def spam(site_id: int) -> str:
    site = owned_site(site_id)
    page = listing.spam(site, listing.page_number(request.args.get("page", 1)))
    return render_template("dashboard/spam.html", page=page)


@bp.post("/sites/<int:site_id>/spam")
@login_required
def spam_bulk(site_id: int) -> Response:
    words = {"not-spam": "Not spam (published, or queued where the site's rules hold them)",
             "delete": "Deleted"}  # fmt: skip
    return act_on_many(owned_site(site_id), words, "dashboard.spam")


@bp.post("/sites/<int:site_id>/comments/<int:comment_id>/not-spam")
@login_required
def not_spam(site_id: int, comment_id: int) -> Response:
    site, comment = owned_comment(site_id, comment_id)
    ActionForm().validate_on_submit()
    if comment.status != Status.SPAM.value:
        flash("That comment is not held as spam.", "info")
    else:
        moderation.moderate(comment, "not-spam")
        flash(RELEASED[comment.status], "info")
    return back(url_for("dashboard.spam", site_id=site.id))
