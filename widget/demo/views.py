"""A demo blog article that embeds the widget exactly as a blog would (WIDGET_DEMO=1)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from ..extensions import db
from ..models import Site

bp = Blueprint("demo", __name__, url_prefix="/demo")

DEMO_KEY = "demo"


@bp.get("/")
def article() -> tuple[str, int, dict[str, str]]:
    site = db.session.scalar(db.select(Site).where(Site.key == DEMO_KEY))
    if site is None:
        abort(404, "No demo site yet: run `widget demo` (make run does).")
    service = current_app.config["WIDGET_PUBLIC_URL"]
    page = render_template("demo/article.html", site=site, service=service)
    # As strict as a careful blog would be: our loader and our iframe, nothing else.
    csp = (
        f"default-src 'none'; script-src {service}; frame-src {service}; style-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return page, 200, {"Content-Security-Policy": csp}
