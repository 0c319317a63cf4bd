"""A site's own pages: creating it, its settings and snippet, its owners, its blocks."""

from __future__ import annotations

import logging
import smtplib

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # (no stub yet)

from .. import mail, owners, sites
from ..auth import registry
from ..comments import blocks
from ..errors import Rejected
from ..exporters import FORMATS
from ..extensions import db
from ..models import Block, Site, utcnow
from ..notify import outbox
from .access import current_owner, login_required, owned_site
from .forms import ActionForm, BlockForm, InviteForm, SettingsForm, SiteForm, expiry
from .views import bp, form_error

log = logging.getLogger(__name__)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/sites/new", methods=["GET", "POST"])
@login_required
def new_site() -> str | Response:
    owner = current_owner()
    assert owner is not None
    form = SiteForm()
    if form.validate_on_submit():
        try:
            site = owners.create_owned_site(owner, form.name.data or "", _lines(form.origins.data))
        except Rejected as error:
            form_error(form, error)
        else:
            flash("Your site is ready: paste the snippet below into your pages.", "info")
            return redirect(url_for("dashboard.settings", site_id=site.id))
    return render_template("dashboard/site_new.html", form=form)


# --- settings ----------------------------------------------------------------------------


def _settings_form(site: Site) -> SettingsForm:
    form = SettingsForm(
        data=None
        if request.method == "POST"
        else {
            "name": site.name,
            "origins": "\n".join(site.origin_list),
            "moderation": site.moderation,
            "link_limit": site.link_limit,
            "guests_allowed": site.guests_allowed,
            "providers": [p.name for p in registry.offered(site)],
            "held_words": "\n".join(site.held_words or []),
            "theme": site.theme,
            "reply_depth": site.reply_depth,
            "spam_filter": site.spam_filter,
            "spam_hold_at": site.spam_hold_at,
            "spam_at": site.spam_at,
        }
    )
    form.providers.choices = [
        SelectChoice(p.name, p.label) for p in registry.all_providers().values()
    ]
    return form


@bp.route("/sites/<int:site_id>/settings", methods=["GET", "POST"])
@login_required
def settings(site_id: int) -> Response | tuple[str, int]:
    site = owned_site(site_id, role="owner")
    form = _settings_form(site)
    if form.validate_on_submit():
        try:
            _save_settings(site, form)
        except Rejected as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash("Settings saved. Readers see them on their next visit.", "info")
            return redirect(url_for("dashboard.settings", site_id=site.id))
    status = 400 if form.errors else 200
    return render_template(
        "dashboard/settings.html",
        form=form,
        snippet=sites.snippet(site),
        site=site,
        exports=FORMATS.values(),
        mail_counts=outbox.counts(site.id),
        dead_mail=outbox.dead(10, site.id),
    ), status


def _save_settings(site: Site, form: SettingsForm) -> None:
    sites.update_site(
        site,
        name=form.name.data,
        origins=_lines(form.origins.data),
        moderation=form.moderation.data,
        link_limit=form.link_limit.data,
        guests_allowed=bool(form.guests_allowed.data),
        disabled_providers=registry.turned_off(form.providers.data or []),
        held_words=_lines(form.held_words.data),
        theme=form.theme.data,
        reply_depth=form.reply_depth.data,
        spam_filter=bool(form.spam_filter.data),
        spam_hold_at=form.spam_hold_at.data,
        spam_at=form.spam_at.data,
    )


# --- owners and invitations --------------------------------------------------------------


@bp.route("/sites/<int:site_id>/owners", methods=["GET", "POST"])
@login_required
def site_owners(site_id: int) -> str | Response:
    site = owned_site(site_id, role="owner")
    owner = current_owner()
    assert owner is not None
    form = InviteForm()
    link = ""
    if form.validate_on_submit():
        try:
            invited = owners.invite(site, form.email.data, owner, form.role.data)
        except Rejected as error:
            form_error(form, error)
        else:
            link = url_for("dashboard.accept_invite", token=invited.token, _external=False)
            link = current_app.config["WIDGET_PUBLIC_URL"] + link
            if _send_invite(site, invited.invite.email, link, owner.display_name):
                flash(f"Invitation sent to {invited.invite.email}.", "info")
                return redirect(url_for("dashboard.site_owners", site_id=site.id))
            # No mail server, or it failed: the owner can pass the link on themselves.
    return render_template(
        "dashboard/owners.html", form=form, members=owners.site_owners(site), link=link
    )


def _send_invite(site: Site, email: str, link: str, sender: str) -> bool:
    if not mail.configured():
        return False
    text = render_template(
        "email/invite.txt", site=site, link=link, sender=sender,
        days=owners.INVITE_LIFETIME.days,
    )  # fmt: skip
    try:
        mail.send(email, f"You are invited to help run {site.name}", text)
    except (OSError, smtplib.SMTPException, mail.Unsendable) as exc:
        log.warning("invitation to %s not sent: %r", email, exc)
        flash("The invitation email could not be sent; copy the link below instead.", "error")
        return False
    return True


# --- blocks ------------------------------------------------------------------------------


@bp.route("/sites/<int:site_id>/blocks", methods=["GET", "POST"])
@login_required
def site_blocks(site_id: int) -> Response | tuple[str, int]:
    site = owned_site(site_id, role="owner")
    form = BlockForm()
    if form.validate_on_submit():
        try:
            blocks.block_value(
                site, form.kind.data, form.value.data or "", action=form.action.data,
                expires_at=expiry(form.expires.data), by=current_owner(),
            )  # fmt: skip
        except Rejected as error:
            form_error(form, error)
        else:
            flash("Blocked.", "info")
            return redirect(url_for("dashboard.site_blocks", site_id=site.id))
    return render_template(
        "dashboard/blocks.html", form=form, blocks=blocks.site_blocks(site), now=utcnow()
    ), 400 if form.errors else 200


@bp.post("/sites/<int:site_id>/blocks/<int:block_id>/delete")
@login_required
def unblock(site_id: int, block_id: int) -> Response:
    site = owned_site(site_id, role="owner")
    ActionForm().validate_on_submit()
    block = db.session.get(Block, block_id)
    if block is None or block.site_id != site.id:
        abort(404)
    blocks.unblock(block)
    flash("Unblocked: their new comments follow the site's usual rules.", "info")
    return redirect(url_for("dashboard.site_blocks", site_id=site.id))
