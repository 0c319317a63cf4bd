"""A site's moderation mode decides what waits for an owner before readers see it."""

from tests.support.blog import guest
from widget.extensions import db
from widget.models import Comment, Status


def approve(comment_id: int) -> None:
    # The dashboard (a later issue) will do this; here we stand in for the owner.
    db.session.get(Comment, comment_id).status = Status.PUBLISHED.value
    db.session.commit()


def test_moderation_off_publishes_at_once(make_site, post_json):
    site = make_site(moderation="off")
    assert post_json(guest(site)).status_code == 201


def test_moderation_all_holds_every_comment_with_202(client, make_site, post_json):
    site = make_site(moderation="all")
    response = post_json(guest(site))
    assert response.status_code == 202
    assert response.json["status"] == "pending"
    thread = client.get(
        "/api/v1/threads", query_string={"site": site.key, "url": guest(site)["url"]}
    )
    assert thread.json["comments"] == []
    assert thread.json["thread"]["count"] == 0


def test_links_mode_holds_comments_with_more_links_than_the_limit(make_site, post_json):
    # The learned filter off: two links to unknown domains are something it may hold.
    site = make_site(moderation="links", link_limit=2, spam_filter=False)
    two = "see https://a.example and https://b.example"
    three = two + " and https://c.example"
    assert post_json(guest(site, body=two)).status_code == 201
    assert post_json(guest(site, body=three)).status_code == 202


def test_first_time_mode_holds_a_guest_until_one_comment_is_approved(make_site, post_json):
    site = make_site(moderation="first-time")
    first = post_json(guest(site, author_email="new@example.com"))
    assert first.status_code == 202
    assert post_json(guest(site, author_email="new@example.com")).status_code == 202
    approve(first.json["id"])
    assert post_json(guest(site, author_email="NEW@example.com")).status_code == 201


def test_first_time_approval_on_another_site_does_not_count(make_site, post_json):
    site_a = make_site(moderation="first-time")
    site_b = make_site(moderation="first-time", origins=["https://b.example"], name="B")
    held = post_json(guest(site_b, url="https://b.example/p/", author_email="x@example.com"))
    approve(held.json["id"])
    assert post_json(guest(site_a, author_email="x@example.com")).status_code == 202


def test_held_comments_do_not_count(client, make_site, post_json):
    site = make_site(moderation="links", link_limit=0)
    post_json(guest(site, body="plain"))
    post_json(guest(site, body="https://spam.example"))
    thread = client.get(
        "/api/v1/threads", query_string={"site": site.key, "url": guest(site)["url"]}
    )
    assert thread.json["thread"]["count"] == 1
