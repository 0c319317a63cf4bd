"""Sign-in: the iframe's JSON endpoints, and the popup's first-party pages.

The popup is a top-level window on our origin, so its session cookie (Authlib's state, PKCE
verifier and nonce) is first-party in every browser. The iframe only ever sees the result by
redeeming its own attempt, and keeps the session in a Partitioned cookie.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..comments import spam
from ..errors import Rejected
from ..extensions import db
from ..guards import json_object, require_iframe_request, require_own_origin
from ..ratelimits import TOO_FAST, limit, limiter
from ..sites import get_site
from ..transactions import begin_writing, writes_late
from . import attempts, oauth, registry, tokens
from .current import bearer, current_identity_on, current_token
from .session_json import user_json

api = Blueprint("auth_api", __name__, url_prefix="/api/v1")
bp = Blueprint("auth", __name__, url_prefix="/auth")

COOKIE = "__Host-widget_session"
# The popup's finisher (auth.oauth): the reader's attempt waits under this session key.
READER = "login_attempt"


@api.errorhandler(Rejected)
def _json_rejected(error: Rejected) -> tuple[Response, int]:
    return jsonify(error.as_json()), error.status


@bp.errorhandler(Rejected)
def _page_rejected(error: Rejected) -> tuple[str, int, dict[str, str]]:
    return _done("", error.message, error.status)


@bp.errorhandler(429)
def _page_too_fast(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    response = error.get_response()
    page, status, headers = _done("", TOO_FAST, 429)
    return page, status, headers | {"Retry-After": response.headers.get("Retry-After", "60")}


# --- the iframe's side ------------------------------------------------------------------


@api.post("/auth/attempts")
@limiter.limit(limit("WIDGET_RATELIMIT_SIGNIN"), error_message=TOO_FAST)
def create_attempt() -> tuple[Response, int]:
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
def redeem_attempt(attempt_id: str) -> Response | tuple[Response, int]:
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
def resume_session() -> Response:
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
def logout() -> Response:
    require_iframe_request()
    token = current_token() or tokens.find(request.cookies.get(COOKIE), "session")
    if token is not None:
        tokens.revoke_session(token.session_id or token.id)
        db.session.commit()
    response = Response(status=204)
    _clear_session_cookie(response)
    return response


@api.get("/me")
def me() -> Response:
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


@bp.record_once
def _register_finisher(state: BlueprintSetupState) -> None:
    oauth.register_finisher(state.app, READER, _finish)


@bp.post("/start")
@limiter.limit(limit("WIDGET_RATELIMIT_SIGNIN"), error_message=TOO_FAST)
def start() -> tuple[str, int, dict[str, str]]:
    """Send the popup to the provider for an attempt our iframe created (only it can post here)."""
    require_own_origin()
    attempt = attempts.start(request.form.get("attempt"), request.form.get("start_token"))
    url = oauth.start(attempt.provider, READER, attempt=attempt.id)
    # A page that moves on, not a redirect: the iframe's CSP form-action would also govern a
    # redirect answering its form, and block every provider's origin.
    label = registry.all_providers()[attempt.provider].label
    page = render_template("auth/go.html", url=url, label=label)
    return page, 200, {"Content-Security-Policy": POPUP_CSP, "Cache-Control": "no-store"}


@bp.get("/<provider>/callback")
def callback(provider: str) -> ResponseReturnValue:
    """Every provider's one redirect URL: the sign-in ends where it was started (auth.oauth)."""
    configured = registry.all_providers().get(provider)
    if configured is None:
        return _done("", "That sign-in provider is not configured here.", 404)
    # A callback that no sign-in of this browser's claims is this popup's to answer.
    return oauth.callback(configured, otherwise=READER)


def _finish(outcome: oauth.Outcome) -> tuple[str, int, dict[str, str]]:
    """The reader's attempt learns how the sign-in went; the popup says so, and closes."""
    label = outcome.provider.label
    attempt_id = str(outcome.pending.get("attempt") or "") if outcome.pending else ""
    if outcome.error:
        message = _provider_error(label, outcome.error, outcome.error_description)
        if attempt_id:
            attempts.fail(attempt_id, message)
        return _done(attempt_id, message, 200)
    if not attempt_id:
        # A provider link opened in another browser than the one that started it.
        return _done("", "This sign-in was not started in this browser. Start again from the "
                         "comment form.", 400)  # fmt: skip
    if outcome.profile is None:
        message = f"{label} did not confirm who you are. Please try again."
        attempts.fail(attempt_id, message)
        return _done(attempt_id, message, 400)
    attempts.complete(attempt_id, outcome.profile)
    return _done(attempt_id, "", 200)


def _provider_error(label: str, error: str, description: str) -> str:
    if error == "access_denied":
        return f"Signing in with {label} was cancelled. You can still comment as a guest."
    return f"{label} could not sign you in ({(description or error)[:200]})."


def _done(attempt_id: str, error: str, status: int) -> tuple[str, int, dict[str, str]]:
    page = render_template("auth/done.html", attempt=attempt_id, error=error)
    return page, status, {"Content-Security-Policy": POPUP_CSP}


POPUP_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; " \
            "form-action 'self'; frame-ancestors 'none'"  # fmt: skip
