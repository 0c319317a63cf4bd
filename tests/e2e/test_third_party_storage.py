"""Control: the comment frame really runs with third-party cookies and storage blocked.

The blog (127.0.0.2) frames pages of 127.0.0.1: another site, so the browser treats the frame
as a third party, as Safari does on every blog. If this ever stops holding (a browser or
Playwright default changes), the other e2e tests no longer prove that the widget works there.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Frame, Page

from tests.support.pages import open_article
from tests.support.servers import Service
from tests.support.static_blog import Blog

pytestmark = pytest.mark.e2e

COOKIES = "fetch('/probe/cookies', {credentials: 'include'}).then(r => r.json())"
READ_STORAGE = """() => {
    try { return "value: " + localStorage.getItem("e2e-probe"); }
    catch (error) { return "throws " + error.name; }
}"""


def probe_frame(page: Page) -> Frame:
    frame = page.locator("iframe").element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    return frame


def test_frame_gets_no_third_party_cookies_but_partitioned_ones_work(
    page: Page, context: BrowserContext, blog: Blog
) -> None:
    # First party, the same cookie is accepted and sent back: it is a valid cookie.
    page.goto(f"{blog.probe_url}/probe/frame/")
    assert page.evaluate(COOKIES) == "e2e_plain=1"
    context.clear_cookies()

    # In a frame on the blog, the response that sets it is not allowed to.
    page.goto(f"{blog.url}/probe/host/")
    frame = probe_frame(page)
    assert frame.url.startswith(blog.probe_url)
    assert frame.evaluate(COOKIES) == ""

    # A Partitioned (CHIPS) cookie is kept for this blog, which is what sign-in relies on.
    frame.evaluate("fetch('/probe/frame-partitioned/').then(r => r.text())")
    assert frame.evaluate(COOKIES) == "e2e_partitioned=1"


def test_frame_cannot_read_the_services_first_party_storage(
    page: Page, service: Service, article: tuple[str, str]
) -> None:
    # Any page of the service's origin, top level. The service has no favicon; its 404 here
    # would be logged as a console error that has nothing to do with this test.
    page.route(f"{service.url}/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(f"{service.url}/embed.js")
    page.evaluate("localStorage.setItem('e2e-probe', 'first-party')")
    assert page.evaluate(READ_STORAGE) == "value: first-party"

    frame = open_article(page, article[0])
    assert frame.url.startswith(f"{service.url}/embed/thread")
    # Playwright's launch turns storage partitioning off, so access throws; with it on (plain
    # Chromium) the frame gets an empty storage of this blog's own. Either way nothing leaks.
    assert frame.evaluate(READ_STORAGE) in ("throws SecurityError", "value: null")
