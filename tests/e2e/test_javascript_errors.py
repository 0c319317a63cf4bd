"""No JavaScript errors on the blog page or in the comment frame.

Every test's `page` fails on an uncaught exception or a console error from either (conftest's
BrowserErrors says which network lines are expected, and why); this one walks the whole guest
journey with no refusal excused, and a control makes sure that errors inside the cross-site
frame are really seen.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserErrors
from tests.support.pages import comment_frame, open_article, post_comment, wait_until

pytestmark = pytest.mark.e2e


def test_guest_journey_has_no_javascript_errors(
    page: Page, article: tuple[str, str], browser_errors: BrowserErrors
) -> None:
    url, _ = article
    frame = open_article(page, url)
    post_comment(frame, "No errors, please.")
    first = frame.locator("li.comment").first
    expect(first).to_be_visible()
    first.get_by_role("button", name="Reply to Ann").click()
    post_comment(frame, "None here either.", name="Bob", email="bob@example.com")
    expect(frame.locator("ol.children > li.comment")).to_have_count(1)
    frame.get_by_role("button", name="Reply to Bob").click()
    frame.get_by_role("button", name="Cancel reply").click()

    page.goto(f"{url}#{first.get_attribute('id')}")  # the permalink: only the #fragment changes,
    page.reload()  # so the page has to be loaded again to open it
    frame = comment_frame(page)
    expect(frame.locator(".is-highlighted")).to_have_count(1)
    page.wait_for_timeout(300)  # let late resize and scroll messages land
    assert browser_errors.seen == []


def test_errors_thrown_inside_the_frame_are_caught(
    page: Page, article: tuple[str, str], browser_errors: BrowserErrors
) -> None:
    frame = open_article(page, article[0])
    frame.evaluate("setTimeout(() => { throw new Error('e2e: thrown in the frame'); })")
    frame.evaluate("console.error('e2e: logged in the frame')")
    page.evaluate("setTimeout(() => { throw new Error('e2e: thrown on the blog'); })")

    expected = ("thrown in the frame", "logged in the frame", "thrown on the blog")

    def all_seen() -> bool:
        page.wait_for_timeout(50)  # Playwright delivers events while it waits
        seen = " | ".join(browser_errors.seen)
        return all(text in seen for text in expected)

    wait_until(all_seen)
    browser_errors.seen.clear()  # seen, as they should be: they must not fail this test
