"""A real reader's comment caught by the spam checks (a password manager filled the honeypot,
Akismet was wrong) gets the same 202 as any held comment, so the owner must be able to find it
and let it through: otherwise a false positive is a comment silently lost."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.support.blog import PAGE, guest
from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget import owners
from widget.extensions import db
from widget.models import Comment, Status, Thread


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_SPAM_CHECKS=True)
    with app.app_context():
        yield app


def held_as_spam(make_comment, site, **fields):  # type: ignore[no-untyped-def]
    comment = make_comment(site, **fields).comment
    comment.status = Status.SPAM.value
    db.session.commit()
    return comment


def status_of(comment_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Comment, comment_id).status


def test_a_comment_the_honeypot_caught_is_on_the_sites_spam_page(client, site, post_json):
    posted = post_json(guest(site, body="I really mean this.", homepage="https://my.site"))
    assert posted.status_code == 202  # the reader is told only that it waits
    dashboard = signed_in(client, site)

    page = dashboard.text(f"/dashboard/sites/{site.id}/spam")
    assert "I really mean this." in page
    assert "Ann Reader" in page
    assert f"/comments/{posted.json['id']}/not-spam" in page  # and a way back out of it
    assert 'name="action" value="not-spam"' in page
    nav = dashboard.text(f"/dashboard/sites/{site.id}/")
    assert re.search(r'Spam <span class="count"[^>]*>1</span>', nav), "the nav counts it"


def test_not_spam_publishes_it_where_the_site_publishes_at_once(client, site, make_comment):
    comment = held_as_spam(make_comment, site)
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/spam", data={"action": "not-spam", "comment": comment.id}
    )
    assert response.status_code == 302
    assert status_of(comment.id) == "published"
    assert db.session.scalar(select(Thread.published_count)) == 1
    readers = client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE})
    assert [c["id"] for c in readers.json["comments"]] == [comment.id]


def test_not_spam_puts_it_in_the_queue_where_the_site_would_have_held_it(
    client, make_site, make_comment
):
    site = make_site(moderation="all")
    comment = held_as_spam(make_comment, site)
    dashboard = signed_in(client, site)
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/not-spam")
    assert status_of(comment.id) == "pending"
    assert comment.body in dashboard.text(f"/dashboard/sites/{site.id}/queue")
    assert comment.body not in dashboard.text(f"/dashboard/sites/{site.id}/spam")


def test_not_spam_follows_first_time_moderation_for_a_known_guest(client, make_site, make_comment):
    site = make_site(moderation="first-time")
    known = make_comment(site, author_email="known@example.com").comment
    known.status = Status.PUBLISHED.value
    db.session.commit()
    theirs = held_as_spam(make_comment, site, author_email="known@example.com")
    strangers = held_as_spam(make_comment, site, author_email="new@example.com")
    dashboard = signed_in(client, site)
    dashboard.post(
        f"/dashboard/sites/{site.id}/spam",
        data={"action": "not-spam", "comment": [theirs.id, strangers.id]},
    )
    assert (status_of(theirs.id), status_of(strangers.id)) == ("published", "pending")


def test_deleting_from_the_spam_list(client, site, make_comment):
    comment = held_as_spam(make_comment, site)
    dashboard = signed_in(client, site)
    dashboard.post(
        f"/dashboard/sites/{site.id}/spam", data={"action": "delete", "comment": comment.id}
    )
    assert status_of(comment.id) == "deleted"
    assert comment.body not in dashboard.text(f"/dashboard/sites/{site.id}/spam")


def test_the_spam_list_is_newest_first_fifty_to_a_page(client, site, make_comment):
    comments = [held_as_spam(make_comment, site) for _ in range(55)]
    dashboard = signed_in(client, site)
    first = dashboard.text(f"/dashboard/sites/{site.id}/spam")
    second = dashboard.text(f"/dashboard/sites/{site.id}/spam?page=2")
    assert first.index(comments[-1].body + "<") < first.index(comments[-2].body + "<")
    assert f"{comments[0].body}<" not in first and f"{comments[0].body}<" in second
    assert "Page 1 of 2" in first


def test_another_sites_spam_is_out_of_reach(client, make_site, make_comment):
    mine = make_site(name="Mine")
    theirs = make_site(name="Theirs", origins=["https://theirs.example"])
    secret = held_as_spam(make_comment, theirs, url="https://theirs.example/p/")
    dashboard = signed_in(client, mine)
    assert dashboard.get(f"/dashboard/sites/{theirs.id}/spam").status_code == 404
    assert (
        dashboard.post(f"/dashboard/sites/{theirs.id}/comments/{secret.id}/not-spam").status_code
        == 404
    )
    dashboard.post(
        f"/dashboard/sites/{mine.id}/spam", data={"action": "not-spam", "comment": secret.id}
    )
    assert status_of(secret.id) == "spam"


def test_not_spam_on_the_command_line(app, site, make_comment):
    comment = held_as_spam(make_comment, site)
    result = app.test_cli_runner().invoke(args=["comments", "not-spam", str(comment.id)])
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    assert status_of(comment.id) == "published"


def test_a_moderator_sees_the_spam_list_too(client, site, make_comment):
    comment = held_as_spam(make_comment, site)
    owners.add_site(make_owner("mo@example.com"), site, role="moderator")
    dashboard = Dashboard(client)
    dashboard.sign_in("mo@example.com")
    assert comment.body in dashboard.text(f"/dashboard/sites/{site.id}/spam")


def test_the_command_line_lists_a_sites_spam(app, site, make_comment):
    comment = held_as_spam(make_comment, site, body="Caught by mistake")
    result = app.test_cli_runner().invoke(
        args=["comments", "list", "--site", site.key, "--status", "spam", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["body"]) for r in json.loads(result.output)] == [
        (comment.id, "Caught by mistake")
    ]
    text = app.test_cli_runner().invoke(args=["comments", "list", "--site", site.key,
                                              "--status", "spam"]).output  # fmt: skip
    assert str(comment.id) in text and "Caught by mistake" in text
