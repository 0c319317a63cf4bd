"""What the browser enforces for us: who may frame the thread, and whom a reader's browser calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.support.pages import open_article, post_comment, wait_until
from tests.support.static_blog import Blog

pytestmark = pytest.mark.e2e
OTHER_SITE = "127.0.0.3"  # neither the blog's site nor the service's


@pytest.fixture
def other_site(blog: Blog) -> Iterator[str]:
    """A page on an unregistered site that frames the blog's thread."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            src = blog.frame_url(f"{blog.url}/posts/framed/", "Framed")
            frame = f'<iframe src="{escape(src)}"></iframe>'
            data = f'<!doctype html><link rel="icon" href="data:,">{frame}'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer((OTHER_SITE, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{OTHER_SITE}:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_page_of_another_site_cannot_frame_the_thread(
    page: Page,
    blog: Blog,
    other_site: str,
    browser_errors,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(other_site)
    frame = wait_until(lambda: next((f for f in page.frames if f != page.main_frame), None))
    page.wait_for_timeout(500)
    # Blocked by frame-ancestors: Chromium shows its own error page, never our thread.
    assert frame.url.startswith("chrome-error://") or frame.locator("#widget").count() == 0
    browser_errors.seen.clear()  # the refusal is logged as a console error, on purpose


def test_the_registered_blog_can(page: Page, article: tuple[str, str]) -> None:
    frame = open_article(page, article[0])
    assert frame.locator("#widget").count() == 1


def test_a_readers_browser_calls_only_the_blog_and_the_service(
    page: Page,
    blog: Blog,
    article: tuple[str, str],
    seed,  # type: ignore[no-untyped-def]
) -> None:
    url, title = article
    seed(url, title, "Already here, with a [link](https://example.org/) in it.")
    origins: set[str] = set()
    page.on("request", lambda r: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(r.url))))
    frame = open_article(page, url)
    post_comment(frame, "And one more.", name="Privacy Reader", email="p@example.com")
    frame.locator("li.comment", has_text="And one more.").wait_for()
    origins.discard("data://")
    assert origins == {blog.url, blog.service_url}
