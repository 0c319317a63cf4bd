"""A blog's front page shows each post's comment count, from one request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.static_blog import ARTICLE, Blog

pytestmark = pytest.mark.e2e


def test_the_front_page_fills_every_count_with_one_request(page: Page, blog: Blog, seed) -> None:  # type: ignore[no-untyped-def]
    busy = blog.article("counted-busy", "A busy post")
    quiet = blog.article("counted-quiet", "A quiet post")
    seed(busy, "A busy post", "First")
    seed(busy, "A busy post", "Second", name="Bob")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/counts" in r.url else None)
    page.goto(blog.url + "/")
    expect(page.locator(f'[data-comment-count-url="{busy}"]')).to_have_text("2 comments")
    expect(page.locator(f'[data-comment-count-url="{quiet}"]')).to_have_text("No comments")
    assert len(requests) == 1
    assert page.locator("iframe[data-comment-widget]").count() == 0


def test_a_hundred_long_urls_are_counted_through_gunicorn(page: Page, blog: Blog, seed) -> None:  # type: ignore[no-untyped-def]
    # The documented maximum, each URL 100 characters: as a query string, over gunicorn's 4 KB.
    urls = [f"{blog.url}/posts/{'a-long-slug-for-counting-' * 3}{n:03d}/" for n in range(100)]
    assert min(len(u) for u in urls) >= 100
    seed(urls[42], "Post 42", "First")
    items = "".join(f'<li><span data-comment-count-url="{u}">…</span></li>' for u in urls)
    snippet = blog.snippet.split("\n")[-1]
    blog.pages["/hundred/"] = ARTICLE.format(title="Hundred", paragraphs=f"<ul>{items}</ul>",
                                             snippet=snippet)  # fmt: skip
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if "/api/v1/counts" in r.url else None)
    page.goto(blog.url + "/hundred/")
    expect(page.locator(f'[data-comment-count-url="{urls[42]}"]')).to_have_text("1 comment")
    expect(page.locator(f'[data-comment-count-url="{urls[99]}"]')).to_have_text("No comments")
    assert answers == [200]
