"""Avatars served from our own origin: only the PNG we drew ourselves (auth/avatars.py)."""

from __future__ import annotations

from flask import Blueprint, abort, make_response
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import User
from .avatars import TYPE

bp = Blueprint("avatars", __name__, url_prefix="/avatars")


@bp.get("/<int:user_id>")
def avatar(user_id: int) -> Response:
    user = db.session.get(User, user_id)
    if user is None or user.avatar is None:
        abort(404)
    response = make_response(user.avatar)
    # Fixed, whatever a row says: opened on its own, the bytes are an image and nothing else.
    response.headers["Content-Type"] = TYPE
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The URL carries the version, so a changed picture gets a new URL.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Cross-Origin-Resource-Policy"] = "same-site"
    response.set_etag(user.avatar_version)
    return response
