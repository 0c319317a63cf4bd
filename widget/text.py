"""Comment text: Markdown rendered to safe HTML once, when a comment is written."""

from __future__ import annotations

import re
from html import escape, unescape

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
    return clean_html(_markdown.render(source))


def clean_html(html: str) -> str:
    """HTML someone else wrote (an imported comment) → what new comments may hold: the same
    tags, attributes and schemes, links made absolute-only and `nofollow ugc`."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_absolute_links_only,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and not _is_absolute_link(value):
        return None
    return value


_BLOCK = re.compile(r"<(?:p|pre|blockquote|ul|ol|li|hr)[\s>/]", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")


def wordpress_paragraphs(text: str) -> str:
    """WordPress keeps a comment as typed and makes paragraphs when it shows it (wpautop):
    blank lines part paragraphs, single line breaks are <br>. Text that has its own blocks
    is left as it is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or _BLOCK.search(text):
        return text
    paragraphs = (p.strip().replace("\n", "<br>\n") for p in _BLANK_LINES.split(text))
    return "".join(f"<p>{p}</p>\n" for p in paragraphs if p)


def text_of(html: str) -> str:
    """The words of sanitised HTML, without its tags: what a comment says, as plain text."""
    spaced = re.sub(r"<br\s*/?>\s*", "\n", html, flags=re.IGNORECASE)
    spaced = re.sub(r"</p>\s*", "\n\n", spaced, flags=re.IGNORECASE)
    return unescape(nh3.clean(spaced, tags=set())).strip()


def count_links(html: str) -> int:
    return len(_link.findall(html))
