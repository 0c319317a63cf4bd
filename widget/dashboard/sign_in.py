"""The end of an owner's sign-in with a provider: auth.views.callback hands over to us here.

Every provider has one registered redirect URL, /auth/<name>/callback, shared with the
comment iframe's popup; the session says which of the two started the sign-in.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from flask import flash, redirect, request, url_for
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from .. import owners
from ..auth import registry
from ..auth.attempts import upsert_identity
from ..errors import Rejected
from ..extensions import db, oauth
from .access import current_owner, safe_next, sign_in

log = logging.getLogger(__name__)


def is_dashboard_sign_in(pending: Any, provider: str) -> bool:
    """Whether this callback finishes a sign-in the dashboard started (same provider, state)."""
    return (
        isinstance(pending, dict)
        and pending.get("provider") == provider
        and bool(pending.get("state"))
        and pending.get("state") == request.args.get("state")
    )


def finish(provider: str, pending: dict[str, Any]) -> Response:
    """Sign the owner in with a linked identity, or link the identity to the signed-in owner."""
    label = registry.all_providers()[provider].label
    failed = url_for("dashboard.account" if pending["mode"] == "link" else "dashboard.login")
    if request.args.get("error"):
        flash(f"{label} did not sign you in.", "error")
        return redirect(failed)
    try:
        client = oauth.create_client(provider)
        token = client.authorize_access_token()
        profile = registry.all_providers()[provider].fetch_profile(client, token)
    except (OAuthError, JoseError, requests.RequestException, KeyError, ValueError) as exc:
        log.warning("dashboard sign-in with %s failed: %r", provider, exc)
        flash(f"{label} did not confirm who you are. Please try again.", "error")
        return redirect(failed)
    identity = upsert_identity(profile)
    db.session.commit()
    if pending["mode"] == "link":
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
