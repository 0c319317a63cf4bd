"""Akismet's comment-check (https://akismet.com/developers/), when WIDGET_AKISMET_KEY is set."""

from __future__ import annotations

import logging

import requests
from flask import current_app

log = logging.getLogger(__name__)
TIMEOUT = 5.0


def configured() -> bool:
    return bool(current_app.config["WIDGET_AKISMET_KEY"])


def is_spam(*, blog: str, page_url: str, ip: str | None, user_agent: str, referrer: str,
            name: str, email: str, website: str, body: str) -> bool:  # fmt: skip
    """Akismet's verdict; if it cannot be reached, the comment is not called spam (the site's
    moderation mode still applies)."""
    data = {
        "api_key": current_app.config["WIDGET_AKISMET_KEY"],
        "blog": blog,
        "user_ip": ip or "",
        "user_agent": user_agent,
        "referrer": referrer,
        "permalink": page_url,
        "comment_type": "comment",
        "comment_author": name,
        "comment_author_email": email,
        "comment_author_url": website,
        "comment_content": body,
        "blog_charset": "UTF-8",
    }
    url = current_app.config["WIDGET_AKISMET_URL"].rstrip("/") + "/1.1/comment-check"
    try:
        response = requests.post(url, data=data, timeout=TIMEOUT)
    except requests.RequestException as exc:
        log.warning("Akismet could not be reached: %s", exc)
        return False
    answer = response.text.strip()
    if answer not in ("true", "false"):
        # "invalid" (a bad key) comes with X-akismet-debug-help saying why.
        log.warning("Akismet answered %r: %s", answer, response.headers.get("X-akismet-debug-help"))
        return False
    return answer == "true"
