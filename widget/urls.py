"""Page-URL normalisation: one thread per page whatever its #fragment or tracking query."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that only say how a reader arrived, never which page they are on.
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_enc_id",
    "oly_anon_id",
    "vero_id",
    "rb_clickid",
    "s_cid",
    "ref_src",
}
MAX_URL_LENGTH = 2048
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadURL(ValueError):
    """The text is not an http(s) URL we can key a thread or an origin by."""


def _split(url: str) -> tuple[str, str, int | None, str, str, str]:
    if not isinstance(url, str) or not url.strip():
        raise BadURL("Give an http or https URL.")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise BadURL(f"URLs are limited to {MAX_URL_LENGTH} characters.")
    if _CONTROL.search(url):
        raise BadURL("URLs may not contain control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL("That URL cannot be read.") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BadURL("Only http and https URLs are allowed.")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise BadURL("The URL needs a host and no user name or password.")
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return scheme, host, port, parts.path or "/", parts.query, parts.fragment


def _netloc(host: str, port: int | None) -> str:
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return host if port is None else f"{host}:{port}"


@lru_cache(maxsize=4096)  # a blog's pages are asked for again and again (counts, threads)
def normalize_page_url(url: str) -> str:
    """The canonical form of a page URL: the key of its thread.

    Fragment and tracking parameters dropped, host lower-cased, default port dropped,
    remaining query parameters sorted so their order does not split a thread.
    """
    scheme, host, port, path, query, _fragment = _split(url)
    kept = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((scheme, _netloc(host, port), path, urlencode(sorted(kept)), ""))


def normalize_origin(origin: str) -> str:
    """scheme://host[:port], refusing anything with a path, query or fragment."""
    scheme, host, port, path, query, fragment = _split(origin)
    if path not in ("", "/") or query or fragment:
        raise BadURL(
            "An origin is scheme://host[:port] with no path, e.g. https://blog.example.com"
        )
    return f"{scheme}://{_netloc(host, port)}"


def origin_of(url: str) -> str:
    scheme, host, port, *_ = _split(url)
    return f"{scheme}://{_netloc(host, port)}"
