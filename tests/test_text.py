from html.parser import HTMLParser

import pytest

from widget.text import ALLOWED_TAGS, count_links, render_markdown


class Elements(HTMLParser):
    """Every element the HTML really contains (escaped text is not an element)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, dict(attrs)))


def test_markdown_basics_render():
    html = render_markdown("Hello *there* and **you**\n\n> quoted\n\n- one\n- two\n\n`x = 1`")
    assert "<em>there</em>" in html
    assert "<strong>you</strong>" in html
    assert "<blockquote>" in html
    assert "<li>one</li>" in html
    assert "<code>x = 1</code>" in html


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.com) and https://example.org")
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_fenced_code_keeps_text():
    html = render_markdown("```\n<b>not bold</b>\n```")
    assert "<pre><code>&lt;b&gt;not bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "![x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<iframe src="https://evil.example">',
    ],
)
def test_nothing_executable_survives(source):
    for tag, attrs in Elements(render_markdown(source)).found:
        assert tag in ALLOWED_TAGS
        assert not [name for name in attrs if name.startswith("on")]
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:"))


def test_image_becomes_a_link_so_readers_fetch_nothing():
    html = render_markdown("![a cat](https://img.example/cat.png)")
    assert "<img" not in html
    assert '<a href="https://img.example/cat.png" rel="nofollow ugc noopener">a cat</a>' in html


def test_headings_stay_plain_text():
    assert render_markdown("# Big") == "<p># Big</p>"


def test_links_are_counted():
    assert (
        count_links(render_markdown("https://a.example https://b.example [c](https://c.example)"))
        == 3
    )


@pytest.mark.parametrize(
    "source",
    [
        "[x](/dashboard/)",
        "[x](../api/v1/comments)",
        "[x](%6Aavascript:alert(1))",
        "[x](java\u200bscript:alert(1))",
        "![x](/a.png)",
        "[x][r]\n\n[r]: relative/path",
    ],
)
def test_relative_links_stay_text(source):
    # A relative link would point into the comment service's own origin, not at the blog.
    html = render_markdown(source)
    assert "<a" not in html
    assert "href" not in html


def test_link_titles_are_dropped_with_every_attribute_outside_the_allowlist():
    html = render_markdown('[x](https://example.com "t\\" onmouseover=\\"alert(1)")')
    assert html == '<p><a href="https://example.com" rel="nofollow ugc noopener">x</a></p>'
