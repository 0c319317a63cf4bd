"""JSON API v1: parse, call a service, serialise."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException

from ..comments import services
from ..errors import Rejected
from . import schemas
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(Rejected)
def _rejected(error: Rejected):  # type: ignore[no-untyped-def]
    return jsonify(error.as_json()), error.status


@bp.app_errorhandler(HTTPException)
def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    # Registered on the app, since a 404 for an unknown path never reaches the blueprint.
    if not request.path.startswith(bp.url_prefix or "/api"):
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    body = {"error": {"code": code, "message": error.description or error.name}}
    return jsonify(body), error.code or 500


def _own_origins() -> set[str]:
    public = urlsplit(current_app.config["WIDGET_PUBLIC_URL"])
    return {f"{public.scheme}://{public.netloc}", request.host_url.rstrip("/")}


def require_iframe_request() -> None:
    """State changes come from our own iframe: JSON, a custom header, and our Origin.

    A blog page's script cannot send the header cross-origin without a CORS preflight we never
    grant, so no other page can post in a reader's name.
    """
    if not request.is_json:
        raise Rejected(
            None, "Send the comment as application/json.", code="unsupported_media_type", status=415
        )
    if request.headers.get("X-Requested-With") != "XMLHttpRequest":
        raise Rejected(
            None, "Missing header X-Requested-With: XMLHttpRequest.", code="forbidden", status=403
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin not in _own_origins():
        raise Rejected(
            None,
            "Requests from other origins may not post comments.",
            code="forbidden_origin",
            status=403,
        )


@bp.get("/threads")
def get_thread():  # type: ignore[no-untyped-def]
    page = services.read_thread(request.args.get("site"), request.args.get("url"))
    return jsonify(schemas.thread_json(page))


@bp.post("/comments")
def create_comment():  # type: ignore[no-untyped-def]
    require_iframe_request()
    try:
        data = request.get_json()
    except BadRequest as exc:
        raise Rejected(None, "The body is not valid JSON.", code="invalid_json") from exc
    posted = services.post_comment(schemas.parse_new_comment(data))
    body = schemas.comment_json(posted.comment) | {"edit_key": posted.edit_key}
    return jsonify(body), 202 if posted.comment.is_pending else 201


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document(current_app.config["WIDGET_PUBLIC_URL"]))
