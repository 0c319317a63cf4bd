"""Who is making this API request: a bearer access token, or nobody (a guest)."""

from __future__ import annotations

from flask import request

from ..errors import Rejected
from ..models import AuthToken, Identity
from . import tokens


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_token() -> AuthToken | None:
    """The live access token sent; a 401 if one was sent and is not (or no longer) valid."""
    secret = bearer()
    if secret is None:
        return None
    # Looked up once per request (rate limits and the view both ask); kept on the request, not
    # on `g`, whose app context can outlive a request.
    if not hasattr(request, "widget_token"):
        request.widget_token = tokens.find(secret, "access")  # type: ignore[attr-defined]
    token = request.widget_token  # type: ignore[attr-defined]
    if token is None:
        raise Rejected(None, "Your sign-in has expired. Sign in again.", code="signed_out",
                       status=401)  # fmt: skip
    return token


def current_identity() -> Identity | None:
    token = current_token()
    return token.identity if token else None
