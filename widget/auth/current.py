"""Who is making this API request: a bearer access token, or nobody (a guest).

A token acts only on the site it was made for: every site's iframe shares our origin, so a
reader's token for one blog is just a string another blog's page could try to use.
"""

from __future__ import annotations

from flask import request

from ..errors import Rejected
from ..extensions import db
from ..models import AuthToken, Identity, Site
from . import tokens

_TOKEN = "widget.access_token"  # the request's token, once looked up


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_token() -> AuthToken | None:
    """The live access token sent; a 401 if one was sent and is not (or no longer) valid."""
    secret = bearer()
    if secret is None:
        return None
    # Looked up once per request (rate limits and the view both ask); kept with the request, not
    # on `g`, whose app context can outlive a request.
    if _TOKEN not in request.environ:
        request.environ[_TOKEN] = tokens.find(secret, "access")
    token: AuthToken | None = request.environ[_TOKEN]
    if token is None:
        raise Rejected(None, "Your sign-in has expired. Sign in again.", code="signed_out",
                       status=401)  # fmt: skip
    return token


def current_identity_on(site_key: object) -> Identity | None:
    """The signed-in person, if their token was made on the site that key names; a 403
    (`wrong_site`) if it was made on another one."""
    token = current_token()
    if token is None:
        return None
    site = db.session.get(Site, token.site_id)
    if site is None or site.key != site_key:
        raise Rejected("site", "You signed in on another site. Sign in here to comment here.",
                       code="wrong_site", status=403)  # fmt: skip
    return token.identity


def account_key() -> str:
    """Who a per-account rate limit counts: the signed-in reader's account, wherever they post
    from (ratelimits.py counts guests by their address instead)."""
    token = current_token()
    return f"user:{token.identity.user_id}" if token else "guest"


def is_guest() -> bool:
    return current_token() is None
