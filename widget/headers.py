"""Security headers every response carries unless its view set its own."""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

# Nothing may run, load or frame a response that did not ask for more (JSON, errors, redirects).
FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def page_csp(frame_ancestors: str) -> str:
    """Our own pages: our scripts, styles and images only, nothing inline; framed as told."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def init_app(app: Flask) -> None:
    @app.after_request
    def add(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", FALLBACK_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
