"""Real Chromium (Debian's, driven by Playwright): the time from navigation start on the blog's
page until the first comment's text is visible, and what the reader downloaded until then."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Frame, Page, sync_playwright
from playwright.sync_api import Request as PlaywrightRequest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

LOADS = 10
TIMEOUT_MS = 30_000

# Runs in every frame before its own scripts: notes the moment (on the clock shared by all frames)
# the selector's first element has a box, checking before every paint.
WATCH = """(selector => {
  const check = () => {
    const el = document.querySelector(selector);
    if (el && el.getClientRects().length && el.textContent.trim()) {
      window.__benchVisibleAt = performance.timeOrigin + performance.now();
    } else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})(%r);"""


@dataclass(frozen=True)
class Embed:
    name: str
    page: str  # the blog page's URL
    selector: str  # the first comment's text
    service: str  # the service's origin: what the reader fetched from it counts
    in_frame: bool  # the thread is in an iframe from the service


@dataclass(frozen=True)
class Visible:
    median_ms: float
    loads_ms: list[float]
    fetched: list[tuple[str, str]]  # method and URL of each request to the service before the
    # first comment showed (first load)


def write_page(folder: Path, name: str, snippet: str) -> str:
    """A blog article with the snippet under it; its file name."""
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>What we learned serving comments</title></head>
<body><article><h1>What we learned serving comments</h1><p>An article.</p></article>
{snippet}
</body></html>
"""
    (folder / f"{name}.html").write_text(html)
    return f"{name}.html"


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def time_to_first_comment(browser: Browser, embed: Embed) -> Visible:
    """Median of LOADS loads, each in a fresh context (empty cache, no cookies)."""
    loads: list[float] = []
    fetched: list[tuple[str, str]] = []
    for n in range(LOADS + 1):  # the first load warms the servers and is not counted
        took, urls = one_load(browser, embed)
        if n == 0:
            fetched = urls
        else:
            loads.append(took)
    return Visible(statistics.median(loads), loads, fetched)


def one_load(browser: Browser, embed: Embed) -> tuple[float, list[tuple[str, str]]]:
    context = browser.new_context()
    try:
        context.add_init_script(WATCH % embed.selector)
        page = context.new_page()
        urls: list[tuple[str, str]] = []

        def note(request: PlaywrightRequest) -> None:
            if request.url.startswith(embed.service):
                urls.append((request.method, request.url))

        page.on("request", note)
        page.goto(embed.page, wait_until="commit")
        frame = thread_frame(page, embed)
        frame.wait_for_function("window.__benchVisibleAt", timeout=TIMEOUT_MS)
        seen = frame.evaluate("window.__benchVisibleAt")
        start = page.evaluate("performance.timeOrigin")
        return seen - start, list(urls)
    finally:
        context.close()


def thread_frame(page: Page, embed: Embed) -> Frame:
    if not embed.in_frame:
        return page.main_frame
    page.wait_for_selector("iframe[data-comment-widget]", state="attached", timeout=TIMEOUT_MS)
    handle = page.query_selector("iframe[data-comment-widget]")
    frame = handle.content_frame() if handle else None
    if frame is None:
        raise RuntimeError("The comment iframe has no frame.")
    return frame
