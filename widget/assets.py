"""Static assets, with their content's fingerprint in the URL so browsers may keep them a year;
the loader, whose URL blogs paste, is kept only minutes so that a deploy reaches readers.

The files under static/ are read once per process into a manifest, and a request can only
name one of them: a path that strangers choose never reaches the disk, and nothing is
remembered per name they send (a memo keyed by request paths would grow without bound).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from functools import cache

from flask import Flask, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC = os.path.join(ROOT, "static")
TEMPLATES = os.path.join(ROOT, "templates")
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    fingerprint: str
    mimetype: str | None


@cache
def manifest() -> dict[str, Asset]:
    """Every regular file under static/, by its path relative to it (with "/")."""
    found: dict[str, Asset] = {}
    for dirpath, _dirs, files in os.walk(STATIC):
        for name in files:
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            with open(path, "rb") as f:
                body = f.read()
            relative = os.path.relpath(path, STATIC).replace(os.sep, "/")
            digest = hashlib.sha256(body).hexdigest()[:12]
            found[relative] = Asset(body, digest, mimetypes.guess_type(name)[0])
    return found


def _asset(filename: str) -> Asset:
    asset = manifest().get(filename)
    if asset is None:
        raise NotFound()
    return asset


def fingerprint(filename: str) -> str:
    return _asset(filename).fingerprint


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
    manifest()  # read at start, not by the first request

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
        asset = _asset(filename)
        fingerprinted = request.args.get("v") == asset.fingerprint
        response = _serve(filename, max_age=YEAR if fingerprinted else 3600)
        if fingerprinted:
            response.cache_control.immutable = True
        return response


def _serve(filename: str, max_age: int) -> Response:
    """From memory rather than streamed from disk, so that the compressor takes it too."""
    asset = _asset(filename)
    response = Response(asset.body, mimetype=asset.mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.set_etag(asset.fingerprint)
    return response.make_conditional(request)
