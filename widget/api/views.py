"""JSON API v1: parse, call a service, serialise."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..auth.current import account_key, current_identity_on, is_guest
from ..comments import reading, services, spam
from ..comments.counts import count_comments
from ..errors import Rejected
from ..guards import json_object, require_iframe_request
from ..models import Status
from ..notify import subscriptions
from ..ratelimits import TOO_FAST, limit, limiter
from ..transactions import writes_late
from . import schemas
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(Rejected)
def _rejected(error: Rejected) -> tuple[Response, int]:
    return jsonify(error.as_json()), error.status


@bp.app_errorhandler(HTTPException)
def _http_error(
    error: HTTPException,
) -> HTTPException | tuple[Response, int, list[tuple[str, str]]]:
    # Registered on the app, since a 404 for an unknown path never reaches the blueprint.
    if not request.path.startswith(bp.url_prefix or "/api"):
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    body = {"error": {"code": code, "message": error.description or error.name}}
    # Only the body becomes JSON: the error's own headers stay (a 405 must say what is Allowed).
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return jsonify(body), error.code or 500, headers


@bp.get("/threads")
def get_thread() -> Response:
    args = request.args
    page = reading.read_thread(
        args.get("site"),
        args.get("url"),
        after=schemas.parse_cursor(args.get("cursor")),
        size=schemas.parse_limit(args.get("limit"), current_app.config["WIDGET_THREAD_PAGE_SIZE"]),
    )
    return jsonify(schemas.thread_json(page))


@bp.get("/counts")
def get_counts() -> Response:
    """Counts for many pages in one request; readable by the site's own pages (CORS)."""
    response = _counts_answer(request.args.get("site"), request.args.getlist("url"))
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.post("/counts")
@writes_late  # it only reads: SQLite's write lock is never taken
def post_counts() -> Response:
    """The same question in a body, for pages whose URLs would make a query string longer than
    a proxy or gunicorn accepts (4 KB). Sent as text/plain, it needs no CORS preflight."""
    data = json_object(any_type=True)
    urls = data.get("urls")
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise Rejected("urls", "Give urls as a list of strings.")
    response = _counts_answer(data.get("site"), urls)
    response.cache_control.no_store = True
    return response


def _counts_answer(site: object, urls: list[str]) -> Response:
    origin = request.headers.get("Origin")
    counts = count_comments(site, origin, urls)
    response = jsonify({"counts": counts.by_url, "labels": counts.labels()})
    response.vary.add("Origin")
    if counts.asked_by_own_page:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


@bp.post("/comments")
@writes_late  # post_comment takes SQLite's write lock only once it has checked everything
@limiter.limit(limit("WIDGET_RATELIMIT_POST"), error_message=TOO_FAST)
@limiter.limit(limit("WIDGET_RATELIMIT_POST_USER"), key_func=account_key, exempt_when=is_guest,
               error_message=TOO_FAST)  # fmt: skip
def create_comment() -> tuple[Response, int]:
    require_iframe_request()
    data = json_object()
    viewer = current_identity_on(data.get("site"))
    new, notify_replies = schemas.parse_new_comment(data), schemas.parse_notify_replies(data)
    posted = services.post_comment(
        new,
        viewer,
        ip=request.remote_addr,
        submission=schemas.parse_submission(data, request),
    )
    if notify_replies:  # a row or two of the database: the emails go from the outbox, later
        subscriptions.subscribe_author(posted.comment, viewer)
    # A fresh form token: each passes once (widget/comments/spam.py), and the reader may post again.
    body = schemas.comment_json(posted.comment) | {"edit_key": posted.edit_key,
                                                   "form_token": spam.form_token()}  # fmt: skip
    return jsonify(body), 201 if posted.comment.status == Status.PUBLISHED.value else 202


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_app.config["WIDGET_PUBLIC_URL"]))
