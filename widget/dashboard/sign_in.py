"""Owners signing in with a provider, or linking one to their account: the start and the end.

The sign-in itself (the provider's pages, the shared /auth/<name>/callback, the profile) is
auth.oauth's; this module starts it for the dashboard and registers the finisher it ends in.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response

from .. import owners
from ..auth import oauth, registry
from ..auth.identities import upsert_identity
from ..errors import Rejected
from ..extensions import db
from ..ratelimits import TOO_FAST, limit, limiter
from .access import current_owner, login_required, safe_next, sign_in
from .forms import ActionForm
from .views import bp

# The dashboard's finisher, and the session key its pending sign-in waits under.
PENDING_KEY = "dashboard_login"


@bp.record_once
def _register_finisher(state: BlueprintSetupState) -> None:
    oauth.register_finisher(state.app, PENDING_KEY, finish)


def _go_to_provider(provider: str, mode: str) -> str:
    """A page that moves on to the provider by itself, not a redirect: CSP form-action would
    stop a form's redirect to another origin."""
    url = oauth.start(provider, PENDING_KEY, mode=mode, next=safe_next(request.form.get("next")))
    return render_template(
        "auth/go.html",
        url=url,
        label=registry.all_providers()[provider].label,
        stylesheet="dashboard.css",
        body_class="",
        main_class="main narrow",
        button_class="button primary",
    )


@bp.post("/login/<provider>")
@limiter.limit(limit("WIDGET_RATELIMIT_SIGNIN"), error_message=TOO_FAST)
def login_with(provider: str) -> str:
    ActionForm().validate_on_submit()
    return _go_to_provider(provider, "login")


@bp.post("/account/link/<provider>")
@login_required
def link(provider: str) -> str:
    ActionForm().validate_on_submit()
    return _go_to_provider(provider, "link")


def finish(outcome: oauth.Outcome) -> Response:
    """Sign the owner in with a linked identity, or link the identity to the signed-in owner."""
    pending = outcome.pending or {}
    label = outcome.provider.label
    failed = url_for("dashboard.account" if pending.get("mode") == "link" else "dashboard.login")
    if outcome.error:
        flash(f"{label} did not sign you in.", "error")
        return redirect(failed)
    if outcome.profile is None:
        flash(f"{label} did not confirm who you are. Please try again.", "error")
        return redirect(failed)
    identity = upsert_identity(outcome.profile)
    db.session.commit()
    if pending.get("mode") == "link":
        owner = current_owner()
        if owner is None:
            return redirect(url_for("dashboard.login"))
        try:
            owners.link_identity(owner, identity)
        except Rejected as error:
            flash(error.message, "error")
        else:
            flash(f"You can now sign in with {label}.", "info")
        return redirect(url_for("dashboard.account"))
    owner = owners.owner_for_identity(identity)
    if owner is None:
        flash(
            f"That {label} account is not linked to an owner here. Sign in with your password "
            "and link it from your account page first.",
            "error",
        )
        return redirect(failed)
    sign_in(owner)
    return redirect(safe_next(pending.get("next")))
