"""Every payload of the XSS corpus through the Markdown renderer and the field checks, no browser.

tests/e2e/test_xss.py posts the same corpus through the API and renders it in Chromium.
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.support.xss_corpus import Payload, allowlist_violations, load_payloads
from widget.comments import validation
from widget.errors import Rejected
from widget.text import render_markdown

PAYLOADS = load_payloads()
MAX_BODY = 20_000


def _id(payload: Payload) -> str:
    return f"L{payload.line}"


def test_the_corpus_is_large_varied_and_has_no_duplicates():
    texts = [p.text for p in PAYLOADS]
    assert len(texts) >= 100
    assert len(set(texts)) == len(texts), [t for t, n in Counter(texts).items() if n > 1]
    families = Counter(p.family for p in PAYLOADS)
    assert len(families) >= 10, families
    assert all(n >= 5 for n in families.values()), families


def _deobfuscated(text: str) -> str:
    """The payload with its disguises taken off: entities, JS escapes, concatenation, base64."""
    text = html.unescape(text)
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    text = text.replace("'+'", "")
    for token in re.findall(r"[A-Za-z0-9+/]{8,}={0,2}", text):
        with contextlib.suppress(ValueError):
            text += " " + base64.b64decode(token).decode("utf-8", "replace")
    return text


def test_every_payload_would_announce_itself_if_it_ran():
    """The browser test listens for dialogs and __xss: a payload doing neither proves nothing."""
    markers = ("alert(", "alert)(", "alert'](", "confirm(", "prompt(", "__xss=1", "['__xss']=1")
    silent = [str(p) for p in PAYLOADS if not any(m in _deobfuscated(p.text) for m in markers)]
    assert silent == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=_id)
def test_rendered_body_holds_to_the_allowlist(payload: Payload):
    try:
        body = validation.body(payload.text, MAX_BODY)
    except Rejected as refused:
        assert refused.field == "body"
        return
    html = render_markdown(body)
    assert allowlist_violations(html) == [], html


@pytest.mark.parametrize("payload", PAYLOADS, ids=_id)
def test_website_is_refused_or_a_plain_http_address(payload: Payload):
    try:
        url = validation.author_url(payload.text)
    except Rejected as refused:
        assert refused.field == "author_url"
        return
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https")
    assert not any(c in url for c in '<>"` \t\n\\'), url
    assert parts.hostname and all(c.isalnum() or c in "-._:" for c in parts.hostname), url


@pytest.mark.parametrize("payload", PAYLOADS, ids=_id)
def test_name_and_title_are_refused_or_kept_as_plain_text(payload: Payload):
    """Names and titles are text, escaped on output: kept as written, never parsed as HTML."""
    for check, field in ((validation.author_name, "author_name"), (validation.page_title, "title")):
        try:
            value = check(payload.text)
        except Rejected as refused:
            assert refused.field == field
            continue
        assert value.strip() == value
        assert not any(ord(c) < 32 for c in value), repr(value)


def test_the_corpus_exercises_both_refusal_and_acceptance_in_every_field():
    """A corpus that every check refuses would not test the escaping of what gets through."""
    outcomes: Counter[tuple[str, bool]] = Counter()
    checks = {
        "body": lambda text: validation.body(text, MAX_BODY),
        "author_name": validation.author_name,
        "author_url": validation.author_url,
        "title": validation.page_title,
    }
    for payload in PAYLOADS:
        for field, check in checks.items():
            try:
                check(payload.text)
                outcomes[field, True] += 1
            except Rejected:
                outcomes[field, False] += 1
    for field in checks:
        assert outcomes[field, True] >= 15, outcomes
        assert outcomes[field, False] >= 1, outcomes
