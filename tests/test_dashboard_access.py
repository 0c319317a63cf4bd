"""Who sees what: an owner sees only their own sites' data, a moderator only comments, and the
dashboard's pages refuse to be framed or to run anything inline."""

from __future__ import annotations

import pytest

from tests.support.blog import BLOG
from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget import owners
from widget.comments import blocks
from widget.extensions import db
from widget.models import Comment, Status


@pytest.fixture
def two_sites(make_site, make_comment):  # type: ignore[no-untyped-def]
    """Mine and theirs, each with a thread, a held comment and a block."""
    mine = make_site(name="Mine", moderation="all")
    theirs = make_site(name="Theirs", origins=["https://theirs.example"], moderation="all")
    make_comment(mine)
    secret = make_comment(
        theirs, url="https://theirs.example/p/", body="Their secret", author_email="s@x.example"
    ).comment
    block = blocks.block_value(theirs, "email", "troll@example.com")
    return mine, theirs, secret, block


def their_urls(theirs, secret, block) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    s, c, t = theirs.id, secret.id, secret.thread_id
    return [
        ("GET", f"/dashboard/sites/{s}/"),
        ("GET", f"/dashboard/sites/{s}/threads/{t}"),
        ("GET", f"/dashboard/sites/{s}/queue"),
        ("POST", f"/dashboard/sites/{s}/queue"),
        ("GET", f"/dashboard/sites/{s}/spam"),
        ("POST", f"/dashboard/sites/{s}/spam"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/not-spam"),
        ("GET", f"/dashboard/sites/{s}/settings"),
        ("POST", f"/dashboard/sites/{s}/settings"),
        ("GET", f"/dashboard/sites/{s}/owners"),
        ("POST", f"/dashboard/sites/{s}/owners"),
        ("GET", f"/dashboard/sites/{s}/blocks"),
        ("POST", f"/dashboard/sites/{s}/blocks"),
        ("POST", f"/dashboard/sites/{s}/blocks/{block.id}/delete"),
        ("GET", f"/dashboard/sites/{s}/comments/{c}/edit"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/edit"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/approve"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/spam"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/delete"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/restore"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/reply"),
        ("POST", f"/dashboard/sites/{s}/comments/{c}/block"),
    ]


def test_an_owner_who_guesses_another_sites_ids_gets_404_everywhere(client, two_sites):
    mine, theirs, secret, block = two_sites
    dashboard = signed_in(client, mine)
    for method, url in their_urls(theirs, secret, block):
        data = {
            "body": "pwned",
            "action": "approve",
            "comment": str(secret.id),
            "email": "me@evil.example",
            "kind": "email",
            "value": "x@example.com",
            "name": "Pwned",
            "origins": "https://evil.example",
            "moderation": "off",
            "link_limit": "9",
            "theme": "dark",
            "role": "owner",
        }
        response = dashboard.get(url) if method == "GET" else dashboard.post(url, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Their secret" not in response.get_data(as_text=True)
        assert "s@x.example" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Comment, secret.id).status == Status.PENDING.value
    assert db.session.get(Comment, secret.id).body == "Their secret"
    assert theirs.name == "Theirs" and theirs.moderation == "all"
    assert owners.site_owners(theirs) == []
    assert blocks.site_blocks(theirs) == [block]


def test_another_sites_comment_reached_through_my_site_id_is_a_404(client, two_sites):
    """The site in the URL is mine; the comment is not on it."""
    mine, _, secret, _ = two_sites
    dashboard = signed_in(client, mine)
    for action in ("approve", "delete"):
        url = f"/dashboard/sites/{mine.id}/comments/{secret.id}/{action}"
        assert dashboard.post(url).status_code == 404
    thread_url = f"/dashboard/sites/{mine.id}/threads/{secret.thread_id}"
    assert dashboard.get(thread_url).status_code == 404
    assert db.session.get(Comment, secret.id).status == Status.PENDING.value


def test_bulk_actions_ignore_ids_from_another_site(client, two_sites):
    mine, _, secret, _ = two_sites
    own = db.session.scalar(db.select(Comment).where(Comment.body != "Their secret"))
    dashboard = signed_in(client, mine)
    dashboard.post(
        f"/dashboard/sites/{mine.id}/queue",
        data={"action": "approve", "comment": [str(own.id), str(secret.id)]},
    )
    db.session.expire_all()
    assert db.session.get(Comment, own.id).status == Status.PUBLISHED.value
    assert db.session.get(Comment, secret.id).status == Status.PENDING.value


def test_the_list_of_sites_shows_only_ones_own(client, two_sites):
    mine, *_ = two_sites
    page = signed_in(client, mine).text("/dashboard/")
    assert "Mine" in page and "Theirs" not in page


def test_an_admin_manages_every_site(client, two_sites):
    _, theirs, _, _ = two_sites
    make_owner("root@example.com", admin=True)
    dashboard = Dashboard(client)
    dashboard.sign_in("root@example.com")
    assert "Their secret" in dashboard.text(f"/dashboard/sites/{theirs.id}/queue")


def test_a_stranger_is_sent_to_sign_in_from_every_page(client, two_sites):
    _, theirs, secret, block = two_sites
    for method, url in their_urls(theirs, secret, block):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/dashboard/login?next=")


def test_a_moderator_moderates_but_cannot_change_settings_owners_or_blocks(
    client, make_site, make_comment
):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    moderator = make_owner("mod@example.com")
    owners.add_site(moderator, site, role="moderator")
    dashboard = Dashboard(client)
    dashboard.sign_in("mod@example.com")
    assert dashboard.get(f"/dashboard/sites/{site.id}/queue").status_code == 200
    approve = dashboard.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/approve")
    assert approve.status_code == 302
    for page in ("settings", "owners", "blocks"):
        assert dashboard.get(f"/dashboard/sites/{site.id}/{page}").status_code == 403
    block = dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/block",
        data={"kind": "email", "action": "refuse"},
    )
    assert block.status_code == 403
    nav = dashboard.text(f"/dashboard/sites/{site.id}/")
    assert "Settings" not in nav and "Blocks" not in nav


def test_dashboard_pages_send_a_strict_csp_and_refuse_framing(client, site):
    response = signed_in(client, site).get(f"/dashboard/sites/{site.id}/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.get_data(as_text=True)
    assert " style=" not in response.get_data(as_text=True)


def test_the_login_page_is_framed_by_nobody_either(client):
    assert (
        "frame-ancestors 'none'"
        in client.get("/dashboard/login").headers["Content-Security-Policy"]
    )


def test_every_form_on_every_page_carries_a_csrf_token(client, site, make_comment):
    comment = make_comment(site, url=f"{BLOG}/p/").comment
    dashboard = signed_in(client, site)
    for path in (
        "/dashboard/",
        f"/dashboard/sites/{site.id}/",
        f"/dashboard/sites/{site.id}/threads/{comment.thread_id}",
        f"/dashboard/sites/{site.id}/settings",
        f"/dashboard/sites/{site.id}/owners",
        f"/dashboard/sites/{site.id}/blocks",
        "/dashboard/account",
        "/dashboard/sites/new",
        f"/dashboard/sites/{site.id}/comments/{comment.id}/edit",
    ):
        page = dashboard.text(path)
        posts = page.count('method="post"')
        assert posts > 0
        assert page.count('name="csrf_token"') >= posts, path


def test_nul_bytes_in_what_owners_type_are_refused_not_crashing(client, site):
    """PostgreSQL refuses NUL in text: such input must never reach a query."""
    dashboard = Dashboard(client)
    assert dashboard.sign_in("ann\x00@example.com").status_code == 400
    assert client.get("/dashboard/invites/" + "a" * 30 + "\x00").status_code == 404
    dashboard = signed_in(client, site)
    assert dashboard.get(f"/dashboard/sites/{site.id}/?q=%00x").status_code == 200
