"""Static assets, with their content's fingerprint in the URL so browsers may keep them a year;
the loader, whose URL blogs paste, is kept only minutes so that a deploy reaches readers."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from functools import cache

from flask import Flask, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC = os.path.join(ROOT, "static")
TEMPLATES = os.path.join(ROOT, "templates")
YEAR = 365 * 24 * 3600


@cache
def fingerprint(filename: str) -> str:
    with open(os.path.join(STATIC, filename), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=fingerprint(filename))


@cache
def build_id() -> str:
    """Changes with any template or static file: cached pages of an older build are not served."""
    digest = hashlib.sha256()
    for folder in (TEMPLATES, STATIC):
        for dirpath, _dirs, files in sorted(os.walk(folder)):
            for name in sorted(files):
                with open(os.path.join(dirpath, name), "rb") as f:
                    digest.update(name.encode() + f.read())
    return digest.hexdigest()[:10]


def init_app(app: Flask) -> None:
    app.add_template_global(asset_url)

    @app.get("/embed.js")
    def embed_js() -> Response:
        response = _serve("embed.js", max_age=300)
        # Any page on the web may load the loader.
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/static/<path:filename>")
    def static(filename: str) -> Response:
        fingerprinted = request.args.get("v") == _safe_fingerprint(filename)
        response = _serve(filename, max_age=YEAR if fingerprinted else 3600)
        if fingerprinted:
            response.cache_control.immutable = True
        return response


def _safe_fingerprint(filename: str) -> str | None:
    try:
        return fingerprint(filename)
    except OSError:
        return None


@cache
def _read(filename: str) -> bytes:
    path = safe_join(STATIC, filename)
    if path is None or not os.path.isfile(path):
        raise NotFound()
    with open(path, "rb") as f:
        return f.read()


def _serve(filename: str, max_age: int) -> Response:
    """From memory rather than streamed from disk, so that the compressor takes it too."""
    response = Response(_read(filename), mimetype=mimetypes.guess_type(filename)[0])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.set_etag(fingerprint(filename))
    return response.make_conditional(request)
