"""What the e2e tests do with a blog page and its comment frame, in one place."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from playwright.sync_api import Frame, Page, expect

T = TypeVar("T")


def wait_until(check: Callable[[], T | None], timeout: float = 5.0, interval: float = 0.05) -> T:
    """Poll until `check()` returns something truthy; return it, or fail with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout}s: {check.__name__} -> {value!r}")
        time.sleep(interval)


def comment_frame(page: Page) -> Frame:
    """The comment iframe on the blog page, once thread.js has made the form usable."""
    handle = page.locator("iframe[data-comment-widget]").element_handle()
    frame = handle.content_frame()
    assert frame is not None
    expect(frame.get_by_role("button", name="Post Comment")).to_be_enabled()
    return frame


def open_article(page: Page, url: str) -> Frame:
    page.goto(url)
    return comment_frame(page)


def fill_comment(frame: Frame, body: str, name: str = "", email: str = "") -> None:
    frame.get_by_label("Comment").fill(body)
    frame.get_by_label("Name").fill(name)
    frame.get_by_label("Email").fill(email)


def post_comment(
    frame: Frame, body: str, name: str = "Ann", email: str = "ann@example.com"
) -> None:
    fill_comment(frame, body, name, email)
    frame.get_by_role("button", name="Post Comment").click()


def sizes(page: Page, frame: Frame) -> dict[str, Any]:
    """The iframe's height on the blog page, and what it holds, measured in the frame."""
    inside: dict[str, Any] = frame.evaluate(
        """() => ({
            widget: document.getElementById("widget").getBoundingClientRect().height,
            scrollHeight: document.documentElement.scrollHeight,
            clientHeight: document.documentElement.clientHeight,
        })"""
    )
    iframe = page.locator("iframe[data-comment-widget]").evaluate(
        "el => el.getBoundingClientRect().height"
    )
    return inside | {"iframe": iframe}


def wait_for_fit(page: Page, frame: Frame) -> dict[str, Any]:
    """Wait until the iframe is as tall as the thread in it, with nothing left to scroll."""

    def fits() -> dict[str, Any] | None:
        s = sizes(page, frame)
        ok = (
            abs(s["iframe"] - s["widget"]) <= 2
            # The frame has laid itself out at the iframe's new height (that lags a little),
            and abs(s["clientHeight"] - s["iframe"]) <= 1
            # and there is nothing below it to scroll to.
            and s["scrollHeight"] <= s["clientHeight"] + 1
        )
        return s if ok else None

    try:
        return wait_until(fits)
    except AssertionError:
        raise AssertionError(f"the iframe does not fit its thread: {sizes(page, frame)}") from None


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    """Opt in with WIDGET_E2E_SCREENSHOTS=1: a picture at /tmp/e2e-<name>.png, to look at."""
    if os.environ.get("WIDGET_E2E_SCREENSHOTS"):
        page.screenshot(path=f"/tmp/e2e-{name}.png", full_page=full_page)
