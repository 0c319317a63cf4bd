"""The owner's side in real Chromium: sign in at /dashboard/, see a page's thread with its
counts, approve a held comment, and the reader's widget on the blog then shows it."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.browser import TIMEOUT_MS, BrowserErrors
from tests.support.pages import open_article, post_comment, screenshot
from tests.support.servers import BIN, ROOT, Service
from tests.support.static_blog import Blog

pytestmark = pytest.mark.e2e

PASSWORD = "a long and careful passphrase"


def create_owner(service: Service, blog: Blog, email: str) -> None:
    """`widget owners create` on the server, the password on standard input."""
    result = subprocess.run(
        [
            str(BIN / "widget"),
            "owners",
            "create",
            email,
            "--site",
            blog.site_key,
            "--password-stdin",
        ],
        cwd=ROOT,
        env=service.env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def owner_page(browser: Browser, browser_errors: BrowserErrors) -> Iterator[Page]:
    """The owner's own browser (not the reader's), first-party on the service."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    browser_errors.watch(page)  # a CSP violation or a script error fails the test
    yield page
    context.close()


def sign_in(page: Page, service: Service, email: str) -> None:
    page.goto(f"{service.url}/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/login\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Your sites")).to_be_visible()


def test_an_owner_approves_a_held_comment_and_the_reader_sees_it(
    page: Page,
    owner_page: Page,
    service: Service,
    blog: Blog,
    article: tuple[str, str],
    seed,
    request: pytest.FixtureRequest,
) -> None:
    url, title = article
    owner_email = f"{request.node.name.lower()}@owners.example"
    reader_email = f"held-{request.node.name.lower()}@example.com"
    create_owner(service, blog, owner_email)
    seed(url, title, "Already published: a first comment.", name="Ann")

    # The owner signs in, and from now on holds whatever this reader writes.
    sign_in(owner_page, service, owner_email)
    owner_page.get_by_role("link", name="E2E blog").click()
    owner_page.get_by_role("link", name="Blocks").click()
    owner_page.get_by_label("Block").select_option("email")
    owner_page.get_by_label("Address").fill(reader_email)
    owner_page.get_by_label("Then").select_option("hold")
    owner_page.get_by_role("button", name="Block", exact=True).click()
    expect(owner_page.get_by_role("status")).to_have_text("Blocked.")

    # The reader comments on the blog; it waits for the owner.
    frame = open_article(page, url)
    post_comment(frame, "Held until the owner *approves* it.", name="Hedda", email=reader_email)
    expect(frame.get_by_text("Your comment is awaiting moderation.")).to_be_visible()

    # The owner sees the page's thread with its counts, and what waits in the navigation.
    owner_page.get_by_role("link", name="Threads").click()
    expect(owner_page.locator(".site-nav .count")).to_have_text(re.compile(r"^[1-9]\d*$"))
    row = owner_page.locator("tr", has=owner_page.get_by_role("link", name=title, exact=True))
    expect(row.locator("td[data-label=Published]")).to_have_text("1")
    expect(row.locator("td[data-label=Pending]")).to_have_text("1")
    expect(row.locator(".thread-url")).to_have_attribute("href", url)
    screenshot(owner_page, "dashboard-threads")
    row.get_by_role("link", name=title, exact=True).click()
    expect(owner_page.get_by_role("heading", name=title)).to_be_visible()
    held = owner_page.locator("li.item", has_text="Held until the owner")
    expect(held.locator(".badge-pending")).to_have_text("Pending")
    expect(held.locator(".email")).to_have_text(reader_email)
    held.get_by_role("button", name="Approve").click()
    expect(owner_page.get_by_role("status")).to_have_text("Approved: readers see it now.")
    expect(owner_page.locator(".figures")).to_contain_text("2 published")
    screenshot(owner_page, "dashboard-thread")

    # The reader's widget on the static blog page now shows it, counted.
    frame = open_article(page, url)
    approved = frame.locator("#comment-list > li.comment", has_text="Held until the owner")
    expect(approved.locator(".comment-content em")).to_have_text("approves")
    expect(frame.locator("#comments-title")).to_have_text(f"2 comments on “{title}”")


def test_an_owner_reply_shows_in_the_widget_with_an_owner_badge(
    page: Page,
    owner_page: Page,
    service: Service,
    blog: Blog,
    article: tuple[str, str],
    seed,
    request: pytest.FixtureRequest,
) -> None:
    url, title = article
    owner_email = f"{request.node.name.lower()}@owners.example"
    create_owner(service, blog, owner_email)
    question = seed(url, title, "Will there be a part two?", name="Quinn")

    sign_in(owner_page, service, owner_email)
    owner_page.get_by_role("link", name="E2E blog").click()
    owner_page.get_by_role("link", name=title, exact=True).click()
    comment = owner_page.locator(f"#c{question['id']}")
    comment.get_by_text("Reply", exact=True).click()  # a <details>: no script needed
    comment.get_by_label("Your reply to Quinn").fill("Yes, next week.")
    comment.get_by_role("button", name="Reply as owner").click()
    expect(owner_page.get_by_role("status")).to_have_text("Your reply is published.")

    frame = open_article(page, url)
    reply = frame.locator(f"#comment-{question['id']} .children > li.comment")
    expect(reply.locator(".comment-content")).to_have_text("Yes, next week.")
    expect(reply.locator(".owner-badge")).to_have_text("Owner")
