"""The iframe is exactly as tall as the thread in it: it grows and shrinks, and never scrolls."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserErrors
from tests.support.pages import open_article, post_comment, screenshot, wait_for_fit

pytestmark = pytest.mark.e2e


def test_iframe_grows_with_the_thread_and_never_scrolls(
    page: Page, article: tuple[str, str], browser_errors: BrowserErrors
) -> None:
    browser_errors.expect_refused_posts()
    url, _ = article
    frame = open_article(page, url)
    loaded = wait_for_fit(page, frame)
    assert loaded["iframe"] != 360, "still embed.js's placeholder height: no resize arrived"

    frame.get_by_role("button", name="Post Comment").click()  # an empty form: refused
    expect(frame.get_by_role("alert")).to_be_visible()
    with_error = wait_for_fit(page, frame)
    assert with_error["iframe"] > loaded["iframe"]

    post_comment(frame, "A comment long enough to take a few lines. " * 8)
    expect(frame.locator("li.comment")).to_have_count(1)
    with_comment = wait_for_fit(page, frame)
    assert with_comment["iframe"] > with_error["iframe"]


def test_iframe_shrinks_when_the_thread_gets_shorter(page: Page, article: tuple[str, str]) -> None:
    url, _ = article
    page.set_viewport_size({"width": 420, "height": 900})
    frame = open_article(page, url)
    narrow = wait_for_fit(page, frame)
    screenshot(page, "narrow")

    # A wider page lays the form out in fewer, longer lines: the thread is shorter.
    page.set_viewport_size({"width": 1000, "height": 900})
    wide = wait_for_fit(page, frame)
    assert wide["iframe"] < narrow["iframe"] - 40
