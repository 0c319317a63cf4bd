"""The iframe: a page's thread as server-rendered HTML, visible before any script runs."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from ..auth import registry
from ..auth.session_json import provider_label
from ..errors import Rejected
from . import formatting, services

bp = Blueprint("embed", __name__, url_prefix="/embed")
for _filter in (
    formatting.avatar_color,
    formatting.isotime,
    formatting.exacttime,
    formatting.count_heading,
    formatting.author,
    provider_label,
):
    bp.add_app_template_filter(_filter)

THEMES = {"light", "dark", "auto"}


def thread_csp(origins: list[str]) -> str:
    """Only the site's own pages may frame its thread; nothing inline may run."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors " + (" ".join(origins) or "'none'"),
        ]
    )


@bp.errorhandler(Rejected)
def _rejected(error: Rejected) -> tuple[str, int]:
    return render_template("embed/error.html", error=error), error.status


@bp.get("/thread")
def thread() -> Response:
    args = request.args
    page = services.read_thread(args.get("site"), args.get("url"), args.get("title", ""))
    # The snippet's light or dark wins; otherwise the site's default from the dashboard.
    theme = args.get("theme") if args.get("theme") in ("light", "dark") else page.site.theme
    parent = args.get("parent", "")
    response = make_response(
        render_template(
            "embed/thread.html",
            page=page,
            theme=theme if theme in THEMES else "auto",
            # Messages go only to an embedding page of the site's own; frame-ancestors below
            # makes sure no other page can frame us and claim to be one.
            parent_origin=parent if parent in page.site.origin_list else "",
            highlight=args.get("hl", ""),
            providers=registry.offered(page.site),
            max_chars=current_app.config["WIDGET_MAX_BODY_CHARS"],
        )
    )
    response.headers["Content-Security-Policy"] = thread_csp(page.site.origin_list)
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response
