"""Signing in inside the third-party iframe, with a real OpenID Connect provider.

The blog is on 127.0.0.2, the service on 127.0.0.1: third-party cookies and storage are blocked
in the iframe (test_third_party_storage.py proves it), as in Safari. The sign-in runs twice:
once as is, once with the provider's pages sending Cross-Origin-Opener-Policy: same-origin, which
cuts the popup off from the iframe, so the iframe's polling alone must carry it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, Locator, Page, expect

from tests.support.idp import IDP_LABEL, IdP
from tests.support.pages import comment_frame, open_article

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[False, True], ids=["opener-kept", "opener-cut-by-coop"])
def coop(request: pytest.FixtureRequest, idp: IdP) -> Iterator[bool]:
    idp.set_coop(request.param)
    yield request.param
    idp.set_coop(False)


def sign_in_at_provider(page: Page, frame: Frame, login: str, coop: bool) -> Page:
    """Click the provider's button in the iframe, and log in and consent in the popup."""
    with page.expect_popup() as opened:
        frame.get_by_role("button", name=IDP_LABEL).click()
    popup = opened.value
    popup.locator('input[name="login"]').fill(login)
    popup.locator('input[name="password"]').fill("any password")
    popup.get_by_role("button", name="Sign-in").click()
    popup.get_by_role("button", name="Continue").click()
    if coop:
        # Our own last page is reached, but the provider's COOP left it no opener to tell.
        popup.wait_for_url("**/auth/oidc/callback**")
        assert popup.evaluate("window.opener") is None
    return popup


def signed_in_text(frame: Frame) -> Locator:
    return frame.locator("#signed-in")


def test_reader_signs_in_comments_stays_signed_in_and_logs_out(
    page: Page, article: tuple[str, str], coop: bool
) -> None:
    url, _title = article
    frame = open_article(page, url)
    expect(frame.get_by_text("click an icon to log in")).to_be_visible()

    sign_in_at_provider(page, frame, "alice", coop)

    status = signed_in_text(frame)
    expect(status).to_be_visible(timeout=15_000)
    expect(status).to_contain_text(f"You are commenting using your {IDP_LABEL} account")
    expect(status).to_contain_text("Alice Example")
    expect(frame.locator("#guest-details")).to_be_hidden()

    frame.get_by_label("Comment").fill("Signed in and commenting.")
    frame.get_by_role("button", name="Post Comment").click()
    posted = frame.locator("li.comment", has_text="Signed in and commenting.")
    expect(posted).to_be_visible()
    expect(posted.locator(".comment-author")).to_have_text("Alice Example")
    expect(posted.locator(".provider-mark")).to_have_text(IDP_LABEL)

    page.reload()
    frame = comment_frame(page)
    expect(signed_in_text(frame)).to_be_visible()  # the Partitioned cookie survived the reload
    # The picture is fetched in the background after sign-in (never waited for): by now it is in.
    avatar = frame.locator("#signed-in img.avatar")
    expect(avatar).to_be_visible()
    src = avatar.get_attribute("src") or ""
    assert src.startswith("/avatars/"), src  # served by us, never the provider's image host
    assert avatar.evaluate("img => img.naturalWidth") == 8  # the picture really arrived
    expect(frame.locator("li.comment .comment-author a")).to_have_text("Alice Example")
    author_link = frame.locator("li.comment .comment-author a").get_attribute("href")
    assert author_link == "https://profiles.example.test/alice"

    frame.get_by_role("button", name="Log Out").click()
    expect(signed_in_text(frame)).to_be_hidden()
    expect(frame.get_by_label("Name")).to_be_visible()

    page.reload()
    frame = comment_frame(page)
    expect(frame.get_by_label("Name")).to_be_visible()
    expect(signed_in_text(frame)).to_be_hidden()


def test_cancelling_at_the_provider_leaves_the_reader_a_guest_with_a_message(
    page: Page, article: tuple[str, str]
) -> None:
    url, _title = article
    frame = open_article(page, url)
    with page.expect_popup() as opened:
        frame.get_by_role("button", name=IDP_LABEL).click()
    popup = opened.value
    popup.locator('input[name="login"]').fill("bob")
    popup.locator('input[name="password"]').fill("x")
    popup.get_by_role("button", name="Sign-in").click()
    # The consent page's "Cancel" link (oidc-provider's devInteractions) denies access.
    popup.get_by_role("link", name="[ Cancel ]").click()
    expect(frame.locator("#sign-in-status")).to_contain_text("cancelled", timeout=15_000)
    expect(frame.get_by_label("Name")).to_be_visible()
    expect(signed_in_text(frame)).to_be_hidden()


def test_a_sign_in_link_sent_to_a_victim_gives_the_attacker_nothing(
    page: Page, browser: Browser, idp: IdP, article: tuple[str, str]
) -> None:
    """The attacker starts a sign-in and sends the victim the popup's link."""
    url, _title = article
    frame = open_article(page, url)
    authorize_links: list[str] = []
    page.context.on(
        "request",
        lambda r: (
            authorize_links.append(r.url) if r.url.startswith(idp.issuer + "/auth?") else None
        ),
    )
    with page.expect_popup() as opened:
        frame.get_by_role("button", name=IDP_LABEL).click()
    popup = opened.value
    popup.wait_for_selector('input[name="login"]')
    assert authorize_links, "the popup never reached the provider"
    authorize = authorize_links[0]  # carries the attacker's state
    popup.close()

    victim = browser.new_context()
    try:
        victim_page = victim.new_page()
        victim_page.goto(authorize)
        victim_page.locator('input[name="login"]').fill("victim")
        victim_page.locator('input[name="password"]').fill("victims password")
        victim_page.get_by_role("button", name="Sign-in").click()
        victim_page.get_by_role("button", name="Continue").click()
        expect(victim_page.locator("body")).to_contain_text("not started in this browser")
    finally:
        victim.close()
    page.wait_for_timeout(2_000)  # more than one poll of the attacker's iframe
    expect(signed_in_text(frame)).to_be_hidden()
