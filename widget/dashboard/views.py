"""The dashboard blueprint: its security headers, error pages, and the list of one's sites."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .. import owners
from ..errors import Rejected
from ..headers import page_csp
from . import listing
from .access import current_owner, login_required, safe_next

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

CSP = page_csp("'none'")


@bp.before_request
def _fresh_request_state() -> None:
    # `g` lives as long as the app context, which outlives one request when a context was
    # already pushed (the tests, the CLI): who is signed in must be read anew every time.
    for name in ("owner", "site", "role", "csrf_token"):
        g.pop(name, None)


@bp.before_request
def _refuse_url_for_options() -> None:
    # url_for reads these as its own options (_method, _external, _scheme, _anchor) or as the
    # endpoint; no dashboard page takes one, and a crafted one has no business here.
    for name in request.args:
        if name.startswith("_") or name == "endpoint":
            raise Rejected(None, f"{name!r} is not a parameter of the dashboard's pages.")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    # Pages show readers' emails: never kept by a shared cache or the back button's disk cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.context_processor
def _layout() -> dict[str, Any]:
    """What the layout shows: who is signed in, the site at hand, and what waits there."""
    site = g.get("site")
    held = listing.held_counts(site) if site is not None else {}
    return {
        "owner": current_owner(),
        "site": site,
        "role": g.get("role"),
        "nav_pending": held.get("pending", 0),
        "nav_spam": held.get("spam", 0),
    }


@bp.errorhandler(Rejected)
def _rejected(error: Rejected) -> tuple[str, int]:
    return render_template("dashboard/error.html", message=error.message), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    messages = {
        403: "Only the site's owners may do that.",
        404: "There is nothing here, or it is not yours to see.",
        400: "That request was not understood. If you left a form open a long time, "
        "reload the page and try again.",
    }
    message = messages.get(error.code or 500, error.description or "Something went wrong.")
    # Keep what the exception's own answer says about retrying (429 Retry-After, 405 Allow).
    headers = {
        k: v for k, v in error.get_response().headers.items() if k in ("Retry-After", "Allow")
    }
    return render_template("dashboard/error.html", message=message), error.code or 500, headers


def form_error(form: FlaskForm, error: Rejected) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = getattr(form, error.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def back(default: str) -> Response:
    """Where an action's form says it came from (a path here), else `default`."""
    return redirect(safe_next(request.form.get("next"), default))


@bp.get("/")
@login_required
def home() -> str | Response:
    owner = current_owner()
    assert owner is not None
    sites = owners.sites_of(owner)
    if not sites:
        return redirect(url_for("dashboard.new_site"))
    pending = listing.pending_by_site([s.id for s in sites])
    return render_template("dashboard/home.html", sites=sites, pending=pending)
