"""Comment text: Markdown rendered to safe HTML once, when a comment is written."""

from __future__ import annotations

import re
from html import escape

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Raw HTML is off (markdown-it escapes it); headings would let one comment shout over the page.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    .enable(["linkify", "strikethrough"])
    .disable(["heading", "lheading", "html_block", "html_inline"])
)


def _image_as_link(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    """An image becomes a link to it: embedding it would make every reader call its host."""
    token = tokens[idx]
    src = str(token.attrs.get("src", ""))
    label = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escape(src)}">{escape(label)}</a>'


_markdown.add_render_rule("image", _image_as_link)
_link = re.compile(r"<a\s", re.IGNORECASE)


def render_markdown(source: str) -> str:
    """Markdown source → sanitised HTML, safe to put in a page as is."""
    html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def count_links(html: str) -> int:
    return len(_link.findall(html))
