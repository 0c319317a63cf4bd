"""One OAuth 2 / OpenID Connect sign-in for every surface: the start, the callback, the profile.

Each provider has one registered redirect URL, /auth/<name>/callback, whoever started the
sign-in: the comment popup (a reader) or the dashboard (an owner). So a surface registers a
*finisher* under a name, from its own package; `start` keeps what the surface will need beside
the provider's state, in the session under that name; the callback finds the sign-in its state
belongs to and hands the outcome to that finisher. Authlib keeps the state, the PKCE verifier
and the nonce in the same (first-party) session, and checks them when the code is traded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from flask import abort, current_app, request, session
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from joserfc.errors import JoseError

from .. import extensions
from .profiles import Profile
from .providers import Provider
from .registry import all_providers

log = logging.getLogger(__name__)

KEY = "widget.sign_in_finishers"


@dataclass(frozen=True)
class Outcome:
    """How a sign-in came back to the callback, for the finisher of the surface that started it."""

    provider: Provider
    # What the start kept for the finisher; None when this browser started no sign-in.
    pending: Mapping[str, Any] | None
    # Who the provider vouched for; None when it would not, or was not asked.
    profile: Profile | None = None
    # The provider's `error` when it sent the person back without a code ("access_denied": they
    # cancelled), and its `error_description`.
    error: str = ""
    error_description: str = ""


Finisher = Callable[[Outcome], ResponseReturnValue]


def register_finisher(app: App, name: str, finish: Finisher) -> None:
    """Let sign-ins started for `name` end in `finish` (a blueprint calls this at setup)."""
    app.extensions.setdefault(KEY, {})[name] = finish


def _finishers() -> dict[str, Finisher]:
    finishers: dict[str, Finisher] = current_app.extensions.get(KEY, {})
    return finishers


def redirect_uri(provider: str) -> str:
    return f"{current_app.config['WIDGET_PUBLIC_URL']}/auth/{provider}/callback"


def start(provider: str, finisher: str, **pending: Any) -> str:
    """The provider's address to send the browser to; its answer will go to `finisher`, with
    `pending` (kept in the session until then). 404 for a provider not configured here."""
    if provider not in all_providers():
        abort(404)
    if finisher not in _finishers():
        raise LookupError(f"no sign-in finisher is registered as {finisher!r}")
    client = extensions.oauth.create_client(provider)
    uri = redirect_uri(provider)
    authorization = client.create_authorization_url(uri)
    client.save_authorize_data(redirect_uri=uri, **authorization)
    session[finisher] = {"provider": provider, "state": authorization["state"], **pending}
    url: str = authorization["url"]
    return url


def callback(provider: Provider, otherwise: str) -> ResponseReturnValue:
    """Finish the sign-in this callback's state belongs to, in its surface's finisher.

    A callback whose state no pending sign-in has (forged, stale, or opened in another
    browser) goes to the finisher `otherwise` with its own pending sign-in, if any: Authlib then
    refuses the state, and that finisher can say so to the window waiting for it.
    """
    name, pending = _claim(provider.name, otherwise)
    finish = _finishers()[name]
    if request.args.get("error"):
        return finish(
            Outcome(
                provider,
                pending,
                error=request.args["error"],
                error_description=request.args.get("error_description", ""),
            )
        )
    if pending is None:
        return finish(Outcome(provider, None))
    return finish(Outcome(provider, pending, fetch_profile(provider)))


def _claim(provider: str, otherwise: str) -> tuple[str, Mapping[str, Any] | None]:
    """The finisher this callback goes to and the sign-in it finishes, taken out of the session."""
    state = request.args.get("state")
    for name in _finishers():
        kept = session.get(name)
        if (
            isinstance(kept, dict)
            and kept.get("provider") == provider
            and state
            and kept.get("state") == state
        ):
            return name, session.pop(name)
    kept = session.pop(otherwise, None)
    return otherwise, kept if isinstance(kept, dict) else None


def fetch_profile(provider: Provider) -> Profile | None:
    """Trade the callback's code for a token and read who signed in; None when the provider
    would not vouch for them (a bad state, code or ID token, or an answer without a user)."""
    try:
        client = extensions.oauth.create_client(provider.name)
        token = client.authorize_access_token()
        return provider.fetch_profile(client, token)
    except (OAuthError, JoseError, requests.RequestException, KeyError, ValueError) as exc:
        # JoseError: an ID token with a wrong nonce, audience, issuer, signature or expiry.
        log.warning("sign-in with %s failed: %r", provider.name, exc)
        return None
