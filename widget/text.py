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
# "*" is spelt out: left unset, nh3 keeps its default lang and title on every element.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"*": set(), "a": {"href"}, "ol": {"start"}}
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


def _is_absolute_link(url: str) -> bool:
    """Only absolute http(s) and mailto links become links; anything else stays text.

    nh3 checks the scheme of absolute URLs only and lets relative ones through, and a relative
    link in a comment would point into the comment service's own origin, not at the blog.
    """
    return url.lower().startswith(("http://", "https://", "mailto:"))


_markdown.validateLink = _is_absolute_link  # type: ignore[method-assign]
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
