"""Security headers every response carries unless its view set its own."""

from __future__ import annotations

from flask import Flask
from werkzeug.wrappers import Response

# Nothing may run, load or frame a response that did not ask for more (JSON, errors, redirects).
FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def init_app(app: Flask) -> None:
    @app.after_request
    def add(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", FALLBACK_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
