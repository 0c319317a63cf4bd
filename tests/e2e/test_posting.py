"""A reader on the blog posts and replies in the comment iframe, as a guest."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserErrors
from tests.support.pages import comment_frame, fill_comment, open_article, post_comment, screenshot
from tests.support.servers import Service
from tests.support.static_blog import Blog

pytestmark = pytest.mark.e2e


def test_guest_comment_appears_without_a_reload(page: Page, article: tuple[str, str]) -> None:
    url, title = article
    frame = open_article(page, url)
    expect(frame.locator("#comments-title")).to_have_text(f"No comments yet on “{title}”")
    # Marks that a reload of the blog page or a navigation of the frame would wipe out.
    page.evaluate("window.e2eMark = 'blog'")
    frame.evaluate("window.e2eMark = 'frame'")

    fill_comment(frame, "First! *Lovely* post.", "Grace Hopper", "grace@example.com")
    frame.get_by_role("button", name="Post Comment").click()

    comment = frame.locator("#comment-list > li.comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-author")).to_have_text("Grace Hopper")
    expect(comment.locator(".comment-content em")).to_have_text("Lovely")
    expect(frame.locator("#comments-title")).to_have_text(f"1 comment on “{title}”")
    expect(frame.get_by_label("Comment")).to_have_value("")
    assert page.evaluate("window.e2eMark") == "blog"
    assert frame.evaluate("window.e2eMark") == "frame"


# An element's tag, attributes and children, whitespace between elements left out: what a
# reader's browser draws, whichever way the markup was written.
SHAPE = """li => {
  const shape = el => [el.localName,
    Array.from(el.attributes, a => a.name + "=" + a.value.replace(/ is-new$/, "")).sort(),
    Array.from(el.childNodes).filter(n => n.nodeType === 1 || n.textContent.trim())
      .map(n => n.nodeType === 1 ? shape(n) : n.textContent.trim())];
  return shape(li);
}"""


def test_a_comment_shown_without_a_reload_is_drawn_as_the_server_draws_it(
    page: Page, article: tuple[str, str]
) -> None:
    """thread.js fills the server's <template> of a comment: after a reload, the page's own
    rendering of the same comment is the same markup."""
    frame = open_article(page, article[0])
    fill_comment(frame, "Same *markup*, both ways.", "Grace Hopper", "grace@example.com")
    frame.get_by_label("Website").fill("https://grace.example.org/")
    frame.get_by_role("button", name="Post Comment").click()
    added = frame.locator("#comment-list > li.comment")
    expect(added).to_have_count(1)
    expect(added.get_by_role("link", name="Grace Hopper")).to_be_visible()
    before = added.evaluate(SHAPE)
    screenshot(page, "added-without-a-reload")

    page.reload()
    frame = comment_frame(page)
    assert frame.locator("#comment-list > li.comment").evaluate(SHAPE) == before


def test_a_guest_is_offered_the_guest_form_and_not_shown_as_signed_in(
    page: Page, article: tuple[str, str]
) -> None:
    frame = open_article(page, article[0])
    expect(
        frame.get_by_text("Fill in your details below or click an icon to log in:")
    ).to_be_visible()
    expect(frame.get_by_role("group", name="Or comment as a guest")).to_be_visible()
    expect(frame.locator("#signed-in")).to_be_hidden()
    expect(frame.get_by_role("button", name="Log Out")).to_be_hidden()


def test_reply_is_nested_under_its_comment_after_a_reload(
    page: Page, article: tuple[str, str], seed
) -> None:
    url, title = article
    first = seed(url, title, "Does this work with **Markdown**?", name="Ann")
    frame = open_article(page, url)
    parent = frame.locator(f"#comment-{first['id']}")

    parent.get_by_role("button", name="Reply to Ann").click()
    expect(parent.locator("#respond")).to_be_visible()
    expect(frame.locator("#reply-title")).to_contain_text("Reply to Ann")
    screenshot(page, "replying")
    post_comment(frame, "It does: *this* is a reply.", name="Bob", email="bob@example.com")
    expect(parent.locator(":scope > ol.children > li.comment")).to_contain_text("this is a reply")
    expect(frame.locator("#comment-list + #respond")).to_be_visible()  # the form went home

    page.reload()
    frame = comment_frame(page)
    expect(frame.locator("#comments-title")).to_have_text(f"2 comments on “{title}”")
    expect(frame.locator("#comment-list > li.comment")).to_have_count(1)
    parent = frame.locator(f"#comment-list > li#comment-{first['id']}")
    expect(parent.locator(".comment-body").first).to_contain_text("Does this work with Markdown?")
    reply = parent.locator(":scope > ol.children > li.comment")
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment-author")).to_have_text("Bob")
    expect(reply.locator(".comment-content")).to_have_text("It does: this is a reply.")
    screenshot(page, "reply-thread")


def test_a_guest_comments_then_replies_from_one_page_view_and_both_are_published(
    page: Page, article: tuple[str, str]
) -> None:
    # Each form token passes the spam check once: the second post needs the one the first
    # post's answer brought, or it would wait for the owner.
    url, title = article
    frame = open_article(page, url)
    post_comment(frame, "A first thought.", name="Ann")
    first = frame.locator("#comment-list > li.comment")
    expect(first).to_have_count(1)
    first.get_by_role("button", name="Reply to Ann").click()
    post_comment(frame, "And a second one.", name="Ann")
    expect(first.locator(":scope > ol.children > li.comment")).to_contain_text("a second one")
    expect(frame.locator("#comments-title")).to_have_text(f"2 comments on “{title}”")

    page.reload()
    frame = comment_frame(page)
    expect(frame.locator("#comments-title")).to_have_text(f"2 comments on “{title}”")
    expect(frame.locator("li.comment")).to_have_count(2)


def test_empty_email_is_refused_with_a_message_and_nothing_is_posted(
    page: Page,
    article: tuple[str, str],
    browser_errors: BrowserErrors,
    service: Service,
    blog: Blog,
) -> None:
    browser_errors.expect_refused_posts()
    url, title = article
    frame = open_article(page, url)

    fill_comment(frame, "A comment with no email.", "Nameless", "")
    frame.get_by_role("button", name="Post Comment").click()

    alert = frame.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_text("Give your email address. It is not published.")
    expect(frame.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(frame.get_by_label("Email")).to_be_focused()
    expect(frame.get_by_label("Comment")).to_have_value("A comment with no email.")
    expect(frame.locator("li.comment")).to_have_count(0)
    expect(frame.locator("#comments-title")).to_have_text(f"No comments yet on “{title}”")
    stored = requests.get(
        f"{service.url}/api/v1/threads", params={"site": blog.site_key, "url": url}, timeout=10
    ).json()
    assert stored["thread"]["count"] == 0
    assert stored["comments"] == []
    screenshot(page, "refused")
