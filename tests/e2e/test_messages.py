"""postMessage between the blog page and the comment iframe: each side believes only the other.

A frame of a third origin on the blog page (an ad, a widget) must not be able to resize the
iframe, make it highlight or scroll, or poke its sign-in.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.pages import open_article, wait_for_fit
from tests.support.static_blog import Blog

pytestmark = pytest.mark.e2e


def add_foreign_frame(page: Page, blog: Blog):  # type: ignore[no-untyped-def]
    """A frame of another origin (not the blog's, not the service's) on the blog page."""
    src = blog.probe_url + "/probe/frame/"
    page.evaluate(
        """src => new Promise(done => {
            const f = document.createElement("iframe");
            f.src = src; f.onload = done; document.body.appendChild(f);
        })""",
        src,
    )
    return next(f for f in page.frames if f.url == src)


def test_messages_from_a_foreign_frame_are_ignored_by_both_sides(
    page: Page,
    blog: Blog,
    article: tuple[str, str],
    seed,  # type: ignore[no-untyped-def]
) -> None:
    url, title = article
    first = seed(url, title, "The comment a forged message would highlight.")
    frame = open_article(page, url)
    height = wait_for_fit(page, frame)["iframe"]
    foreign = add_foreign_frame(page, blog)

    foreign.evaluate(
        """id => {
            const comments = parent.frames[0];
            comments.postMessage({type: "widget:highlight", id: "comment-" + id}, "*");
            comments.postMessage({type: "widget:auth-done", attempt: "x"}, "*");
            parent.postMessage({type: "widget:resize", height: 7}, "*");
            parent.postMessage({type: "widget:scroll", top: 5000}, "*");
        }""",
        first["id"],
    )
    page.wait_for_timeout(500)
    expect(frame.locator(f"#comment-{first['id']}")).not_to_have_class(
        "comment depth-0 is-highlighted"
    )
    assert frame.locator(".is-highlighted").count() == 0
    iframe_height = page.locator("iframe[data-comment-widget]").evaluate(
        "el => el.getBoundingClientRect().height"
    )
    assert abs(iframe_height - height) <= 2
    assert page.evaluate("window.scrollY") == 0

    # Control: the same highlight from the blog page itself is believed.
    page.evaluate(
        """id => document.querySelector("iframe[data-comment-widget]").contentWindow
                 .postMessage({type: "widget:highlight", id: "comment-" + id}, "*")""",
        first["id"],
    )
    expect(frame.locator(f"#comment-{first['id']}")).to_have_class("comment depth-0 is-highlighted")
