"""Page-URL normalisation: one thread per page whatever its #fragment or tracking query."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import idna

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
# scheme://host[:port] and at most a trailing slash; the host is checked on its own below.
_ORIGIN = re.compile(
    r"(?P<scheme>[A-Za-z]+)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^\[\]/\\:?#@%\s]+)"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Where a browser would read the host as an IPv4 address (WHATWG URL: "ends in a number").
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
ORIGIN_FORM = "An origin is scheme://host[:port] (http and https only, no path), e.g. https://blog.example.com"


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
    """The canonical scheme://host[:port] of a site's origin, or BadURL.

    Origins are written into the thread page's CSP `frame-ancestors`, so nothing else passes:
    no path, query, fragment, user name, wildcard, space, quote or `;`. The host is a DNS
    name (letters, digits, hyphens; an IDN becomes punycode) or an IP address; the port is
    1 to 65535, and the scheme's default port is dropped.
    """
    match = _ORIGIN.fullmatch(origin.strip()) if isinstance(origin, str) else None
    if match is None:
        raise BadURL(ORIGIN_FORM)
    scheme = match["scheme"].lower()
    if scheme not in DEFAULT_PORTS:
        raise BadURL(ORIGIN_FORM)
    host = _origin_host(match["host"])
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 1 <= port <= 65535:
        raise BadURL(f"A port is 1 to 65535. {ORIGIN_FORM}")
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return f"{scheme}://{_netloc(host, port)}"


def _origin_host(raw: str) -> str:
    """A DNS name in lower-case ASCII, or an IP address, as a browser writes it in an origin."""
    refused = BadURL(f"{raw!r} is not a host name or an IP address. {ORIGIN_FORM}")
    if raw.startswith("["):
        try:
            return ipaddress.IPv6Address(raw[1:-1]).compressed
        except ValueError:
            raise refused from None
    name = raw[:-1] if raw.endswith(".") else raw  # the root's dot: the same host
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError:
            raise refused from None
    name = name.lower()
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise refused
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            return str(ipaddress.IPv4Address(name))
        except ValueError:
            raise refused from None
    return name


def origin_of(url: str) -> str:
    scheme, host, port, *_ = _split(url)
    return f"{scheme}://{_netloc(host, port)}"
