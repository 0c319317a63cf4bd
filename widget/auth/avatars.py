"""Avatars, fetched once from the provider and served from our own origin.

A reader's browser then never calls a provider's image host, which would tell it who reads what.
"""

from __future__ import annotations

import hashlib
import logging

import requests

from ..models import User

MAX_BYTES = 512 * 1024
TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
log = logging.getLogger(__name__)


def fetch(url: str, timeout: float = 5.0) -> tuple[bytes, str] | None:
    if not url.startswith(("https://", "http://")):
        return None
    try:
        with requests.get(url, timeout=timeout, stream=True, allow_redirects=True) as response:
            kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if response.status_code != 200 or kind not in TYPES:
                return None
            body = b""
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    return None
            return body, kind
    except requests.RequestException as exc:
        log.info("avatar not fetched from %s: %s", url, exc)
        return None


def refresh(user: User, url: str | None) -> None:
    """Keep the user's avatar in step with the provider's picture; drop it if it is gone."""
    fetched = fetch(url) if url else None
    if fetched is None:
        if not url:
            user.avatar, user.avatar_type, user.avatar_version = None, "", ""
        return
    body, kind = fetched
    user.avatar, user.avatar_type = body, kind
    user.avatar_version = hashlib.sha256(body).hexdigest()[:12]
