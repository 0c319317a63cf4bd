"""The e2e tests' browser: Debian's Chromium as Playwright launches it, and the JavaScript
errors a page may show without failing its test."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page

CHROMIUM = os.environ.get("WIDGET_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--disable-sync",
]
TIMEOUT_MS = 10_000

NETWORK_4XX = re.compile(r"Failed to load resource: the server responded with a status of (4\d\d)")


@dataclass
class BrowserErrors:
    """Uncaught exceptions and console errors, from the blog page and from the comment frame.

    Chromium also logs every 4xx answer to fetch() as a console error, even when the script
    handles it. One such answer is expected and is not an error: a 4xx from /api/v1/comments,
    in a test that has the API refuse a comment on purpose.
    Everything else fails the test.
    """

    seen: list[str] = field(default_factory=list)
    refusals_expected: bool = False

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.seen.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if self._expected(where, message.text):
            return
        self.seen.append(f"console.error at {where}: {message.text}")

    def _expected(self, where: str, text: str) -> bool:
        status = NETWORK_4XX.match(text)
        path = urlsplit(where).path
        if not status:
            return False
        return self.refusals_expected and path == "/api/v1/comments"

    def expect_refused_posts(self) -> None:
        self.refusals_expected = True
