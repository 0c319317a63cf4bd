"""A blog's front page shows each post's comment count, from one request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Blog

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
