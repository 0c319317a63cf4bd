"""Who may change state: requests from the service's own iframe."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import BadRequest

from .errors import Rejected

# No request body we take is more than an object of plain values; a generous bound.
MAX_JSON_DEPTH = 32
# A lone UTF-16 surrogate (JSON's "\ud800") cannot be encoded, so no database can store it;
# PostgreSQL refuses NUL in text. Neither is ever part of real text.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def own_origins() -> set[str]:
    """The service's own origin: WIDGET_PUBLIC_URL's, never the request's Host header, which
    anyone who points a name of theirs at the server chooses (and their page's Origin with it)."""
    public = urlsplit(current_app.config["WIDGET_PUBLIC_URL"])
    return {f"{public.scheme}://{public.netloc}"}


def require_own_origin() -> None:
    """Browsers send Origin on every POST; only our own pages send ours."""
    if request.headers.get("Origin") not in own_origins():
        raise Rejected(None, "This request must come from the comment service's own pages.",
                       code="forbidden_origin", status=403)  # fmt: skip


def require_iframe_request() -> None:
    """State changes come from our own iframe: JSON, a custom header, and our Origin.

    A blog page's script cannot send the header cross-origin without a CORS preflight we never
    grant, so no other page can act in a reader's name.
    """
    if not request.is_json:
        raise Rejected(None, "Send the request as application/json.",
                       code="unsupported_media_type", status=415)  # fmt: skip
    if request.headers.get("X-Requested-With") != "XMLHttpRequest":
        raise Rejected(None, "Missing header X-Requested-With: XMLHttpRequest.",
                       code="forbidden", status=403)  # fmt: skip
    origin = request.headers.get("Origin")
    if origin is not None and origin not in own_origins():
        raise Rejected(None, "Requests from other origins may not change anything here.",
                       code="forbidden_origin", status=403)  # fmt: skip


def json_object(any_type: bool = False) -> dict[str, Any]:
    """The request's JSON body, which must be an object of text, shallowly nested; `any_type`
    also reads a body sent as text/plain (what a page may send across origins without a CORS
    preflight)."""
    try:
        data = request.get_json(force=any_type)
    except BadRequest as exc:
        raise Rejected(None, "The body is not valid JSON.", code="invalid_json") from exc
    except RecursionError as exc:  # the parser recurses once per level of [ or {
        raise _too_deep() from exc
    if not isinstance(data, dict):
        raise Rejected(None, "Send a JSON object.", code="invalid_json")
    _check_values(data)
    return data


def _check_values(data: dict[str, Any]) -> None:
    """Every string in the body is text, and nothing is nested deeper than MAX_JSON_DEPTH.

    A walk with its own stack, so that it cannot itself run out of one.
    """
    stack: list[tuple[Any, int, str | None]] = [(data, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, str):
            if _NOT_TEXT.search(value):
                raise _not_text(field)
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            if isinstance(value, list):
                stack.extend((item, depth + 1, field) for item in value)
                continue
            for key, item in value.items():
                if _NOT_TEXT.search(key):
                    raise _not_text(field)  # (the key itself is not echoed back)
                stack.append((item, depth + 1, key if field is None else field))


def _not_text(field: str | None) -> Rejected:
    return Rejected(
        field,
        "The body holds a character that is not text (a lone surrogate or NUL).",
    )


def _too_deep() -> Rejected:
    return Rejected(
        None, f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.", code="invalid_json"
    )
