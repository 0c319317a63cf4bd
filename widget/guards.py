"""Who may change state: requests from the service's own iframe."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from .errors import Rejected


def own_origins() -> set[str]:
    public = urlsplit(current_app.config["WIDGET_PUBLIC_URL"])
    return {f"{public.scheme}://{public.netloc}", request.host_url.rstrip("/")}


def require_own_origin() -> None:
    """Browsers send Origin on every POST; only our own pages send ours."""
    if request.headers.get("Origin") not in own_origins():
        raise Rejected(None, "This request must come from the comment service's own pages.",
                       code="forbidden_origin", status=403)  # fmt: skip


def require_iframe_request() -> None:
    """State changes come from our own iframe: JSON, a custom header, and our Origin.

    A blog page's script cannot send the header cross-origin without a CORS preflight we never
    grant, so no other page can act in a reader's name.
    """
    if not request.is_json:
        raise Rejected(None, "Send the request as application/json.",
                       code="unsupported_media_type", status=415)  # fmt: skip
    if request.headers.get("X-Requested-With") != "XMLHttpRequest":
        raise Rejected(None, "Missing header X-Requested-With: XMLHttpRequest.",
                       code="forbidden", status=403)  # fmt: skip
    origin = request.headers.get("Origin")
    if origin is not None and origin not in own_origins():
        raise Rejected(None, "Requests from other origins may not change anything here.",
                       code="forbidden_origin", status=403)  # fmt: skip


def json_object(any_type: bool = False) -> dict:
    """The request's JSON body, which must be an object; `any_type` also reads a body sent as
    text/plain (what a page may send across origins without a CORS preflight)."""
    from werkzeug.exceptions import BadRequest

    try:
        data = request.get_json(force=any_type)
    except BadRequest as exc:
        raise Rejected(None, "The body is not valid JSON.", code="invalid_json") from exc
    if not isinstance(data, dict):
        raise Rejected(None, "Send a JSON object.", code="invalid_json")
    return data
