"""Threads per page, one thread with all its comments, the moderation queue, and what an
owner does to a comment (approve, spam, delete, restore, edit, reply, block its writer)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..comments import blocks, moderation, reading
from ..errors import Rejected
from ..models import Comment, Site
from . import listing
from .access import current_owner, login_required, owned_comment, owned_site, owned_thread
from .forms import ActionForm, BlockAuthorForm, BodyForm, ThreadTitleForm, expiry
from .views import back, bp

DONE = {
    "approve": "Approved: readers see it now.",
    "spam": "Marked as spam.",
    "delete": "Deleted.",
    "restore": "Restored: readers see it now.",
}


@bp.get("/sites/<int:site_id>/")
@login_required
def site_home(site_id: int) -> str:
    """The site's threads, one row per page URL."""
    site = owned_site(site_id)
    sort = request.args.get("sort", "activity")
    sort = sort if sort in listing.SORTS else "activity"
    search = request.args.get("q", "")
    page = listing.threads(
        site, sort=sort, search=search, page=listing.page_number(request.args.get("page", 1))
    )
    return render_template("dashboard/threads.html", page=page, sort=sort, search=search)


@bp.get("/sites/<int:site_id>/threads/<int:thread_id>")
@login_required
def thread(site_id: int, thread_id: int) -> str:
    _, found = owned_thread(site_id, thread_id)
    return render_template(
        "dashboard/thread.html",
        thread=found,
        rows=reading.thread_rows(found),
        pending=listing.pending_by_thread([found.id]).get(found.id, 0),
        title_form=ThreadTitleForm(formdata=None, data={"title": found.title}),
        reply_form=BodyForm(formdata=None),
        block_form=BlockAuthorForm(formdata=None),
    )


@bp.post("/sites/<int:site_id>/threads/<int:thread_id>/title")
@login_required
def retitle(site_id: int, thread_id: int) -> Response:
    """The thread's title, which readers' pages never change once the thread exists."""
    _, found = owned_thread(site_id, thread_id)
    form = ThreadTitleForm()
    if not form.validate_on_submit():
        abort(400)
    moderation.retitle(found, form.title.data)
    flash("Title saved: readers see it now.", "info")
    return redirect(url_for("dashboard.thread", site_id=site_id, thread_id=found.id))


@bp.get("/sites/<int:site_id>/queue")
@login_required
def queue(site_id: int) -> str:
    site = owned_site(site_id)
    page = listing.queue(site, listing.page_number(request.args.get("page", 1)))
    return render_template("dashboard/queue.html", page=page)


@bp.post("/sites/<int:site_id>/queue")
@login_required
def bulk(site_id: int) -> Response:
    words = {"approve": "Approved", "spam": "Marked as spam", "delete": "Deleted"}
    return act_on_many(owned_site(site_id), words, "dashboard.queue")


def act_on_many(site: Site, words: dict[str, str], listed_at: str) -> Response:
    """One of `words`' actions on the comments ticked in a list, then back to that list."""
    ActionForm().validate_on_submit()
    action = request.form.get("action", "")
    ids = [int(i) for i in request.form.getlist("comment") if i.isdigit()]
    try:
        if action not in words:
            raise Rejected("action", "Choose " + " or ".join(words.values()) + ".")
        done = moderation.moderate_many(site, ids, action)
    except Rejected as error:
        flash(error.message, "error")
    else:
        flash(f"{words[action]}: {done} comment{'s' if done != 1 else ''}.", "info")
    return back(url_for(listed_at, site_id=site.id))


def _thread_url(comment: Comment) -> str:
    return (
        url_for("dashboard.thread", site_id=comment.thread.site_id, thread_id=comment.thread_id)
        + f"#c{comment.id}"
    )


@bp.post(
    "/sites/<int:site_id>/comments/<int:comment_id>/<any(approve, spam, delete, restore):action>"
)
@login_required
def act(site_id: int, comment_id: int, action: str) -> Response:
    _, comment = owned_comment(site_id, comment_id)
    ActionForm().validate_on_submit()
    moderation.moderate(comment, action)
    flash(DONE[action], "info")
    return back(_thread_url(comment))


@bp.route("/sites/<int:site_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(site_id: int, comment_id: int) -> Response | tuple[str, int]:
    _, comment = owned_comment(site_id, comment_id)
    form = BodyForm(data=None if request.method == "POST" else {"body": comment.body})
    if form.validate_on_submit():
        try:
            moderation.edit(comment, form.body.data)
        except Rejected as error:
            form.body.errors = [error.message]
        else:
            flash("Saved: readers see the new text now.", "info")
            return redirect(_thread_url(comment))
    return render_template("dashboard/edit.html", form=form, comment=comment), (
        400 if form.errors else 200
    )


@bp.post("/sites/<int:site_id>/comments/<int:comment_id>/reply")
@login_required
def reply(site_id: int, comment_id: int) -> Response:
    _, parent = owned_comment(site_id, comment_id)
    owner = current_owner()
    assert owner is not None
    form = BodyForm()
    if not form.validate_on_submit():
        flash("Write something first.", "error")
        return redirect(_thread_url(parent))
    try:
        comment = moderation.reply(owner, parent, form.body.data)
    except Rejected as error:
        flash(error.message, "error")
        return redirect(_thread_url(parent))
    flash("Your reply is published.", "info")
    return redirect(_thread_url(comment))


@bp.post("/sites/<int:site_id>/comments/<int:comment_id>/block")
@login_required
def block_author(site_id: int, comment_id: int) -> Response:
    owned_site(site_id, role="owner")  # moderators may not block
    site, comment = owned_comment(site_id, comment_id)
    form = BlockAuthorForm()
    if form.validate_on_submit():
        try:
            blocks.block_author(
                site, comment, form.kind.data, action=form.action.data,
                expires_at=expiry(form.expires.data), by=current_owner(),
            )  # fmt: skip
        except Rejected as error:
            flash(error.message, "error")
        else:
            flash(f"Blocked: {comment.author_name}'s new comments will be "
                  f"{'held' if form.action.data == 'hold' else 'refused'}.", "info")  # fmt: skip
    return back(_thread_url(comment))
