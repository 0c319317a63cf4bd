"""Sign-in: the iframe's JSON endpoints, and the popup's first-party pages.

The popup is a top-level window on our origin, so its session cookie (Authlib's state, PKCE
verifier and nonce) is first-party in every browser. The iframe only ever sees the result by
redeeming its own attempt, and keeps the session in a Partitioned cookie.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from flask import Blueprint, current_app, jsonify, render_template, request, session
from joserfc.errors import JoseError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .. import spam
from ..dashboard import sign_in as dashboard_sign_in
from ..errors import Rejected
from ..extensions import db, oauth
from ..guards import json_object, require_iframe_request, require_own_origin
from ..ratelimits import TOO_FAST, limit, limiter
from ..sites import get_site
from ..transactions import begin_writing, writes_late
from . import attempts, registry, tokens
from .current import bearer, current_identity_on, current_token
from .session_json import user_json

api = Blueprint("auth_api", __name__, url_prefix="/api/v1")
bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)

COOKIE = "__Host-widget_session"


@api.errorhandler(Rejected)
def _json_rejected(error: Rejected):  # type: ignore[no-untyped-def]
    return jsonify(error.as_json()), error.status


@bp.errorhandler(Rejected)
def _page_rejected(error: Rejected):  # type: ignore[no-untyped-def]
    return _done("", error.message, error.status)


@bp.errorhandler(429)
def _page_too_fast(error: HTTPException):  # type: ignore[no-untyped-def]
    response = error.get_response()
    page, status, headers = _done("", TOO_FAST, 429)
    return page, status, headers | {"Retry-After": response.headers.get("Retry-After", "60")}


# --- the iframe's side ------------------------------------------------------------------


@api.post("/auth/attempts")
@limiter.limit(limit("WIDGET_RATELIMIT_SIGNIN"), error_message=TOO_FAST)
def create_attempt():  # type: ignore[no-untyped-def]
    require_iframe_request()
    data = json_object()
    site = get_site(data.get("site"))
    provider = data.get("provider")
    if provider not in {p.name for p in registry.offered(site)}:
        raise Rejected("provider", "This site does not offer that sign-in provider.")
    started = attempts.create(site, provider, data.get("challenge"))
    body = {
        "attempt": started.attempt.id,
        "start_token": started.start_token,
        "expires_in": int(attempts.ATTEMPT_LIFETIME.total_seconds()),
    }
    return jsonify(body), 201


@api.post("/auth/attempts/<attempt_id>/redeem")
def redeem_attempt(attempt_id: str):  # type: ignore[no-untyped-def]
    require_iframe_request()
    redeemed = attempts.redeem(attempt_id, json_object().get("verifier"))
    if redeemed is None:
        return jsonify({"status": "pending"}), 202
    if isinstance(redeemed, attempts.Failed):
        error = {"code": "sign_in_failed", "message": redeemed.message}
        return jsonify({"status": "failed", "error": error})
    # "Change": the account signed in until now is signed out for good.
    previous = tokens.find(bearer(), "access")
    if previous is not None and previous.session_id is not None:
        tokens.revoke_session(previous.session_id)
        db.session.commit()
    response = jsonify({"status": "signed_in"} | _signed_in(redeemed.access))
    _set_session_cookie(response, redeemed.session)
    return response


@api.post("/session/resume")
@writes_late  # every page view asks: a guest's, which writes nothing, never waits for a writer
def resume_session():  # type: ignore[no-untyped-def]
    """Swap the partitioned session cookie for a short-lived access token for this page view."""
    require_iframe_request()
    site = get_site(json_object().get("site"))
    held = tokens.find(request.cookies.get(COOKIE), "session")
    shown = {"form_token": spam.form_token()}
    if held is None or held.site_id != site.id:
        # Not an error: most readers are guests, and a 401 would be logged in their console.
        return jsonify({"user": None} | shown)
    begin_writing()
    access = tokens.issue_access(held)
    db.session.commit()
    return jsonify(_signed_in(access) | shown)


@api.post("/session/logout")
def logout():  # type: ignore[no-untyped-def]
    require_iframe_request()
    token = current_token() or tokens.find(request.cookies.get(COOKIE), "session")
    if token is not None:
        tokens.revoke_session(token.session_id or token.id)
        db.session.commit()
    response = Response(status=204)
    _clear_session_cookie(response)
    return response


@api.get("/me")
def me():  # type: ignore[no-untyped-def]
    if "site" in request.args:
        identity = current_identity_on(request.args["site"])
    else:
        token = current_token()
        identity = token.identity if token else None
    if identity is None:
        raise Rejected(None, "Not signed in.", code="signed_out", status=401)
    return jsonify({"user": user_json(identity)})


def _signed_in(access: tokens.Issued) -> dict[str, Any]:
    return {
        "access_token": access.secret,
        "token_type": "Bearer",
        "expires_in": access.expires_in,
        "user": user_json(access.token.identity),
    }


def _set_session_cookie(response: Response, issued: tokens.Issued) -> None:
    # Partitioned (CHIPS): kept by the browser per embedding blog, where an ordinary
    # third-party cookie would be blocked.
    response.set_cookie(
        COOKIE, issued.secret, max_age=int(tokens.SESSION_LIFETIME.total_seconds()),
        path="/", secure=True, httponly=True, samesite="None", partitioned=True,
    )  # fmt: skip


def _clear_session_cookie(response: Response) -> None:
    response.set_cookie(
        COOKIE, "", max_age=0, expires=0,
        path="/", secure=True, httponly=True, samesite="None", partitioned=True,
    )  # fmt: skip


# --- the popup's side -------------------------------------------------------------------


@bp.post("/start")
@limiter.limit(limit("WIDGET_RATELIMIT_SIGNIN"), error_message=TOO_FAST)
def start():  # type: ignore[no-untyped-def]
    """Send the popup to the provider for an attempt our iframe created (only it can post here)."""
    require_own_origin()
    attempt = attempts.start(request.form.get("attempt"), request.form.get("start_token"))
    session["login_attempt"] = attempt.id
    client = oauth.create_client(attempt.provider)
    redirect_uri = f"{current_app.config['WIDGET_PUBLIC_URL']}/auth/{attempt.provider}/callback"
    authorization = client.create_authorization_url(redirect_uri)
    client.save_authorize_data(redirect_uri=redirect_uri, **authorization)
    # A page that moves on, not a redirect: the iframe's CSP form-action would also govern a
    # redirect answering its form, and block every provider's origin.
    label = registry.all_providers()[attempt.provider].label
    page = render_template("auth/go.html", url=authorization["url"], label=label)
    return page, 200, {"Content-Security-Policy": POPUP_CSP, "Cache-Control": "no-store"}


@bp.get("/<provider>/callback")
def callback(provider: str):  # type: ignore[no-untyped-def]
    providers = registry.all_providers()
    if provider not in providers:
        return _done("", "That sign-in provider is not configured here.", 404)
    label = providers[provider].label
    # An owner signing in to the dashboard comes back to the same registered redirect URL.
    pending = session.pop("dashboard_login", None)
    if dashboard_sign_in.is_dashboard_sign_in(pending, provider):
        return dashboard_sign_in.finish(provider, pending)
    attempt_id = session.pop("login_attempt", None)
    if request.args.get("error"):
        message = _provider_error(label)
        if attempt_id:
            attempts.fail(attempt_id, message)
        return _done(attempt_id or "", message, 200)
    if not attempt_id:
        # A provider link opened in another browser than the one that started it.
        return _done("", "This sign-in was not started in this browser. Start again from the "
                         "comment form.", 400)  # fmt: skip
    try:
        token = oauth.create_client(provider).authorize_access_token()
        profile = providers[provider].fetch_profile(oauth.create_client(provider), token)
    except (OAuthError, JoseError, requests.RequestException, KeyError, ValueError) as exc:
        # JoseError: an ID token with a wrong nonce, audience, issuer, signature or expiry.
        log.warning("sign-in with %s failed: %r", provider, exc)
        message = f"{label} did not confirm who you are. Please try again."
        attempts.fail(attempt_id, message)
        return _done(attempt_id, message, 400)
    attempts.complete(attempt_id, profile)
    return _done(attempt_id, "", 200)


def _provider_error(label: str) -> str:
    if request.args.get("error") == "access_denied":
        return f"Signing in with {label} was cancelled. You can still comment as a guest."
    detail = (request.args.get("error_description") or request.args.get("error") or "")[:200]
    return f"{label} could not sign you in ({detail})."


def _done(attempt_id: str, error: str, status: int):  # type: ignore[no-untyped-def]
    page = render_template("auth/done.html", attempt=attempt_id, error=error)
    return page, status, {"Content-Security-Policy": POPUP_CSP}


POPUP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; " \
            "form-action 'self'; frame-ancestors 'none'"  # fmt: skip
