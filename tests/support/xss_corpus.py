"""The XSS corpus (tests/data/xss_payloads.txt) and what safe output looks like.

Shared by the unit test (every payload through the Markdown renderer and the field checks) and
the browser test (every payload posted through the API and rendered in Chromium).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from widget.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL

CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt"
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_ESCAPE = re.compile(r"\\(\\|n|t|r|x\{([0-9a-fA-F]{1,6})\})")
_SIMPLE = {"\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


@dataclass(frozen=True)
class Payload:
    family: str
    text: str
    line: int

    def __str__(self) -> str:
        return f"line {self.line} ({self.family}): {self.text!r}"


def _unescape(line: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match[2] is not None:
            return chr(int(match[2], 16))
        return _SIMPLE[match[1]]

    return _ESCAPE.sub(one, line)


def load_payloads() -> list[Payload]:
    """Every payload in the corpus, in file order, with the family it was written under."""
    payloads: list[Payload] = []
    family = "unnamed"
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("# family:"):
            family = line.removeprefix("# family:").strip()
        elif line.startswith("#") or not line.strip():
            continue
        else:
            payloads.append(Payload(family, _unescape(line), number))
    return payloads


def is_safe_url(url: str) -> bool:
    """An href as a browser reads it: leading space and control characters do not count."""
    # Browsers strip leading/trailing C0 and space, and drop tab/newline anywhere in a URL.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
                                                   "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
                                                   "\x19\x1a\x1b\x1c\x1d\x1e\x1f ")  # fmt: skip
    return cleaned.lower().startswith(SAFE_SCHEMES)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.other.append(f"comment <!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.other.append(f"declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"declaration <![{data}]>")


def allowlist_violations(html: str) -> list[str]:
    """What in sanitised comment HTML is outside the allowlist; empty when all is well."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems = list(parser.other)
    for tag, attrs in parser.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"element <{tag}>")
            continue
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                problems.append(f"attribute {name}={value!r} on <{tag}>")
            elif name == "href" and not is_safe_url(value or ""):
                problems.append(f"href {value!r}")
            elif name == "rel" and value != LINK_REL:
                problems.append(f"rel {value!r}")
            elif name == "start" and not (value or "").isdigit():
                problems.append(f"start {value!r}")
    return problems
