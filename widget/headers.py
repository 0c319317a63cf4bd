"""Security headers every response carries unless its view set its own."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask import Flask
from werkzeug.wrappers import Response

from .urls import BadURL, normalize_origin

# Nothing may run, load or frame a response that did not ask for more (JSON, errors, redirects).
FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def page_csp(frame_ancestors: str | Iterable[str]) -> str:
    """Our own pages: our scripts, styles and images only, nothing inline; framed as told.

    `frame_ancestors` is origins (a list, or joined by spaces) or "'none'". Only origins that
    pass the one rule for them (urls.normalize_origin) are written, whatever is stored: a `*`,
    a `;` or a quote in the header would let any page frame ours or add a directive.
    """
    tokens = frame_ancestors.split() if isinstance(frame_ancestors, str) else frame_ancestors
    origins = " ".join(t for t in tokens if _is_origin(t)) or "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {origins}",
        ]
    )


@lru_cache(maxsize=4096)  # every thread page asks, for the same few origins
def _is_origin(text: str) -> bool:
    try:
        return normalize_origin(text) == text
    except BadURL:
        return False


def init_app(app: Flask) -> None:
    # A year of https only, once a browser has seen it over https. Not includeSubDomains: the
    # service may share its domain with hosts that are not ours to move to https.
    hsts = "max-age=31536000" if app.config["WIDGET_PUBLIC_URL"].startswith("https://") else ""

    @app.after_request
    def add(response: Response) -> Response:
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        response.headers.setdefault("Content-Security-Policy", FALLBACK_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
