"""What the spam filter looks at in a comment: named features, each present or not.

A `Sample` is a comment as the filter sees it (its text, the author's name, email and website,
and what the service knows of the author's behaviour). `features` turns it into a set of short
strings: words and word pairs, character 4-grams (which survive "v1agra", "subscribe2me"),
the links (how many, their domains, link shorteners), the shape of the author's fields, and
the behaviour flags. The model (model.py) hashes them into buckets; the names themselves are
kept only long enough to explain a score.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit

# Services whose only use in a comment is to hide where a link goes.
SHORTENERS = frozenset((
    "bit.ly", "goo.gl", "tinyurl.com", "t.co", "ow.ly", "is.gd", "buff.ly", "adf.ly", "bit.do",
    "cutt.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "v.gd", "t.ly", "lnkd.in",
    "soo.gd", "s.id", "clck.ru", "qr.ae",
))  # fmt: skip
# Second-level labels under which the registrable name is one label further in (a.co.uk).
_SECOND_LEVEL = frozenset(("co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "gr"))

_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz"
    r"|ru|ly|gl|co|me|io|tk|xyz|us|tv|in|de|uk|fr|pl|br)\b(?:/[^\s<>\"'()]*)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_MAX_WORDS = 300  # a long comment says what it is in its first few hundred words


@dataclass(frozen=True)
class Behaviour:
    """What the service knows of the author when they post (never in a training file)."""

    first_comment: bool = False  # nothing of theirs on this site before
    repeated: bool = False  # the same text already posted by them in another thread
    burst: bool = False  # several comments of theirs on this site in the last minutes


@dataclass(frozen=True)
class Sample:
    """A comment as the filter sees it."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    behaviour: Behaviour = Behaviour()


def plain_text(body: str) -> str:
    """The words of a comment: HTML entities decoded, tags and the stray U+FEFF dropped."""
    text = html.unescape(body).replace("\ufeff", "")
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    return _TAG.sub(" ", text)


def links(body: str) -> list[str]:
    """The URLs a comment carries, in its text or in its HTML's hrefs."""
    text = html.unescape(body)
    found = _HREF.findall(text)
    found.extend(_URL.findall(_TAG.sub(" ", text)))
    return found


def domain(url: str) -> str:
    """The registrable part of a URL's host ("www.blog.example.co.uk" → "example.co.uk")."""
    if "://" not in url:
        url = "http://" + url
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    labels = host.split(".")
    if len(labels) > 2 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f"{edges[-1]}+"


def _word(token: str) -> str:
    # Numbers by their length: "call 5551234" and "call 5559876" are the same feature.
    return "#" * min(len(token), 12) if token.isdigit() else token[:30]


def text_features(text: str) -> set[str]:
    """Words, word pairs and character n-grams of the comment's text, and its shape."""
    found: set[str] = set()
    lowered = _SPACES.sub(" ", text.lower()).strip()
    words = [_word(w) for w in _WORD.findall(lowered)[:_MAX_WORDS]]
    found.update("w:" + w for w in words)
    found.update(f"p:{a} {b}" for a, b in pairwise(words))
    squeezed = f" {' '.join(words)} "
    found.update("c4:" + squeezed[i : i + 4] for i in range(len(squeezed) - 3))
    letters = [c for c in text if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    found.add("len:" + _bucket(len(words), (2, 5, 10, 20, 40, 80)))
    if letters and len(letters) >= 8 and capitals / len(letters) > 0.5:
        found.add("shape:shouting")
    found.add("bang:" + _bucket(text.count("!"), (0, 1, 3)))
    if "@" in text and re.search(r"\S@\S+\.\w", text):
        found.add("shape:email_in_text")
    return found


def link_features(body: str, author_url: str) -> set[str]:
    """How many links, to which domains, through shorteners; the author's website alike."""
    found: set[str] = set()
    urls = links(body)
    domains = {d for d in (domain(u) for u in urls) if d}
    found.add("links:" + _bucket(len(urls), (0, 1, 2)))
    for name in domains:
        found.add("dom:" + name)
        if name in SHORTENERS:
            found.add("link:shortener")
    if author_url.strip():
        site = domain(author_url)
        found.add("site:dom:" + site)
        if site in SHORTENERS:
            found.add("site:shortener")
        if site in domains:
            found.add("site:linked_in_text")
    return found


def author_features(name: str, email: str, author_url: str) -> set[str]:
    """The shape of what the author typed: digits in the name, a name that is a URL or in
    capitals, the email's provider, a website or none. (Not the name's words: a name seen in
    a few spam rows says nothing of the next person called that.)"""
    found: set[str] = set()
    name = name.strip()
    found.add("name:words:" + _bucket(len(name.split()), (0, 1, 2, 3)))
    if _DIGITS.search(name):
        found.add("name:digits")
    if _URL.search(name):
        found.add("name:url")
    if name and name == name.upper() and any(c.isalpha() for c in name):
        found.add("name:capitals")
    local, _, host = email.strip().lower().rpartition("@")
    if host:
        found.add("mail:host:" + host)
        found.add("mail:digits:" + _bucket(len(_DIGITS.findall(local)), (0, 2, 4)))
    found.add("site:" + ("yes" if author_url.strip() else "none"))
    return found


def behaviour_features(behaviour: Behaviour) -> set[str]:
    found = set()
    if behaviour.first_comment:
        found.add("do:first_comment")
    if behaviour.repeated:
        found.add("do:repeated")
    if behaviour.burst:
        found.add("do:burst")
    return found


def features(sample: Sample) -> set[str]:
    """Every feature the comment has."""
    return (
        text_features(plain_text(sample.body))
        | link_features(sample.body, sample.author_url)
        | author_features(sample.author_name, sample.author_email, sample.author_url)
        | behaviour_features(sample.behaviour)
    )
