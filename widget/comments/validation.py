"""The shape of what a commenter may write: each function cleans one field or names it at fault."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ..errors import Rejected
from ..urls import BadURL, normalize_page_url

NAME_MAX = 100
EMAIL_MAX = 254
TITLE_MAX = 300
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[^@\s<>()\[\]\\,;:\"]+$")
# C0 controls and DEL except tab, newline and carriage return: invisible, never meant.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):(?!\d)")
# What a browser never leaves raw in an address it shows: a website holding any of these was not
# copied from one, and quotes and angle brackets are how markup is smuggled into an attribute.
_NOT_IN_URLS = re.compile(r"[\s<>\"`\\]")
_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


def _text(field: str, value: object, *, required: bool = True, missing: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Rejected(field, f"{field} must be a string.")
    if "\x00" in value:
        raise Rejected(field, f"{field} may not contain a NUL byte.")
    value = value.strip()
    if required and not value:
        # `missing` is what a reader sees in the form when they left the field empty.
        raise Rejected(field, missing or f"{field} is required.", code="missing")
    return value


def body(value: object, max_chars: int) -> str:
    text = _CONTROL.sub("", _text("body", value, required=False))
    if not text.strip():
        raise Rejected("body", "Write something first: the comment is empty.", code="missing")
    if len(text) > max_chars:
        raise Rejected(
            "body", f"Comments are limited to {max_chars:,} characters.", code="too_long"
        )
    return text


def author_name(value: object) -> str:
    name = _text("author_name", value, missing="Give your name.")
    if _CONTROL.search(name) or "\n" in name or "\r" in name or "\t" in name:
        raise Rejected("author_name", "author_name may not contain control characters.")
    if len(name) > NAME_MAX:
        raise Rejected(
            "author_name", f"Names are limited to {NAME_MAX} characters.", code="too_long"
        )
    return name


def author_email(value: object) -> str:
    email = _text("author_email", value, missing="Give your email address. It is not published.")
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise Rejected("author_email", "Give an email address like name@example.com.")
    return email.lower()


def author_url(value: object) -> str:
    """A website, http(s) only; a bare domain is taken as https."""
    url = _text("author_url", value, required=False)
    if not url:
        return ""
    if "://" not in url:
        if _SCHEME.match(url):
            raise Rejected("author_url", "Websites must be http or https addresses.")
        url = "https://" + url
    try:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise BadURL("Websites must be http or https addresses.")
        normalize_page_url(url)
    except BadURL as exc:
        raise Rejected("author_url", str(exc)) from exc
    if _NOT_IN_URLS.search(url) or not _is_host_name(urlsplit(url).hostname or ""):
        raise Rejected("author_url", "Give a website address like https://example.com.")
    return url


def _is_host_name(host: str) -> bool:
    """A DNS name (international ones too) or an IP address, as a website's host must be."""
    if ":" in host:  # only an IPv6 literal has a colon here
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return all(_HOST_LABEL.match(label) for label in ascii_host.split("."))


def page_url(value: object) -> str:
    url = _text("url", value)
    try:
        return normalize_page_url(url)
    except BadURL as exc:
        raise Rejected("url", str(exc)) from exc


def page_title(value: object) -> str:
    """Page titles come from the page, not a person: tidied and cut, not refused for length."""
    title = _CONTROL.sub("", _text("title", value, required=False))
    return " ".join(title.split())[:TITLE_MAX]


def parent_id(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 2**62:
        raise Rejected("parent_id", "parent_id must be the id of a comment in this thread.")
    return value
