"""The thread page itself: complete without JavaScript, and a permalink finds its comment."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.pages import comment_frame, screenshot, wait_until
from tests.support.static_blog import Blog

pytestmark = pytest.mark.e2e


def test_thread_is_server_rendered_and_readable_without_javascript(
    browser: Browser, blog: Blog, article: tuple[str, str], seed
) -> None:
    url, title = article
    first = seed(url, title, "Readable with **no** script at all.", name="Ann")
    seed(url, title, "A reply, also there.", name="Bob", parent_id=first["id"])

    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(blog.frame_url(url, title))
        expect(page.locator("#comments-title")).to_have_text(f"2 comments on “{title}”")
        parent = page.locator(f"#comment-list > li#comment-{first['id']}")
        expect(parent.locator(".comment-content").first).to_have_text(
            "Readable with no script at all."
        )
        expect(parent.locator("strong")).to_have_text("no")
        reply = parent.locator(":scope > ol.children > li.comment")
        expect(reply.locator(".comment-author")).to_have_text("Bob")
        expect(reply.locator(".comment-content")).to_have_text("A reply, also there.")
        # Posting and replying need the script: their buttons stay off. (Playwright disables
        # script execution, not the parser's scripting flag, so <noscript> is not shown here.)
        expect(page.get_by_role("button", name="Post Comment")).to_be_disabled()
        expect(page.locator(".comment-reply")).to_have_count(2)
        expect(page.get_by_role("button", name="Reply")).to_have_count(0)
    finally:
        context.close()


def test_permalink_highlights_its_comment_and_scrolls_the_blog_to_it(
    page: Page, blog: Blog, seed
) -> None:
    title = "A long article"
    url = blog.article("long-article-with-permalink", title, paragraphs=30)  # comments far below
    ids = [seed(url, title, f"Comment number {n}.", name=f"Reader{n}")["id"] for n in range(3)]
    target = ids[1]

    page.goto(f"{url}#comment-{target}")
    frame = comment_frame(page)

    expect(frame.locator(f"#comment-{target}")).to_have_class("comment depth-0 is-highlighted")
    expect(frame.locator(".is-highlighted")).to_have_count(1)

    def comment_in_view() -> bool:
        frame_top = page.locator("iframe[data-comment-widget]").evaluate(
            "el => el.getBoundingClientRect().top"
        )
        box = frame.locator(f"#comment-{target}").evaluate(
            "el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; }"
        )
        top, bottom = frame_top + box[0], frame_top + box[1]
        return top >= 0 and bottom <= page.viewport_size["height"]

    wait_until(comment_in_view)
    assert page.evaluate("window.scrollY") > 0
    screenshot(page, "permalink", full_page=False)
