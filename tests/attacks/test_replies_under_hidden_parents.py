"""Replies under a parent the owner marked as spam or deleted: they must not vanish while the
thread still counts them. What is counted is what a reader sees: the replies stay, under a
placeholder that shows nothing of the hidden parent."""

from __future__ import annotations

import pytest

from tests.support.blog import BLOG, PAGE
from tests.support.dashboard import signed_in
from widget.extensions import db
from widget.models import Comment, Status


def embed_html(client, site) -> str:  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "title": "Hello", "parent": BLOG}
    return client.get("/embed/thread", query_string=query).get_data(as_text=True)


def api_thread(client, site) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE}).json


def act(dashboard, site, comment, action):  # type: ignore[no-untyped-def]
    response = dashboard.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/{action}")
    assert response.status_code == 302


def shown_in_api(thread: dict) -> list[dict]:
    return [c for c in thread["comments"] if c["status"] == "published"]


@pytest.mark.parametrize("action", ["spam", "delete"])
def test_replies_under_a_hidden_parent_are_shown_and_counted(client, site, make_comment, action):
    parent = make_comment(site, body="Parent text", author_name="Spammer").comment
    make_comment(site, body="First reply", parent_id=parent.id)
    make_comment(site, body="Second reply", parent_id=parent.id)
    make_comment(site, body="Unrelated")
    act(signed_in(client, site), site, parent, action)

    html = embed_html(client, site)
    assert "3 comments on “Hello”" in html
    assert "First reply" in html and "Second reply" in html and "Unrelated" in html
    assert "Parent text" not in html and "Spammer" not in html
    assert "comment-deleted" in html  # the placeholder the replies hang from

    thread = api_thread(client, site)
    assert thread["thread"]["count"] == len(shown_in_api(thread)) == 3
    placeholder = next(c for c in thread["comments"] if c["id"] == parent.id)
    assert placeholder["html"] == "" and placeholder["author_name"] == ""
    assert placeholder["status"] == "deleted"  # whatever the owner's reason, nothing is shown


def test_a_reply_under_two_hidden_levels_is_still_shown(client, site, make_comment):
    top = make_comment(site, body="Top").comment
    middle = make_comment(site, body="Middle", parent_id=top.id).comment
    make_comment(site, body="Deep reply", parent_id=middle.id)
    dashboard = signed_in(client, site)
    act(dashboard, site, top, "spam")
    act(dashboard, site, middle, "spam")
    html = embed_html(client, site)
    assert "Deep reply" in html and "Top" not in html and "Middle" not in html
    assert "1 comment on “Hello”" in html
    thread = api_thread(client, site)
    assert [c["id"] for c in thread["comments"]][:2] == [top.id, middle.id]
    assert thread["thread"]["count"] == len(shown_in_api(thread)) == 1


def test_a_hidden_comment_without_shown_replies_leaves_nothing(client, site, make_comment):
    parent = make_comment(site, body="Parent text").comment
    reply = make_comment(site, body="Its reply", parent_id=parent.id).comment
    dashboard = signed_in(client, site)
    act(dashboard, site, reply, "spam")
    act(dashboard, site, parent, "delete")
    html = embed_html(client, site)
    assert "comment-deleted" not in html and "No comments yet" in html
    assert api_thread(client, site)["comments"] == []


def test_approving_the_parent_again_puts_it_back_above_its_replies(client, site, make_comment):
    parent = make_comment(site, body="Parent text").comment
    make_comment(site, body="A reply", parent_id=parent.id)
    dashboard = signed_in(client, site)
    act(dashboard, site, parent, "spam")
    act(dashboard, site, parent, "approve")
    html = embed_html(client, site)
    assert html.index("Parent text") < html.index("A reply")
    assert "2 comments on “Hello”" in html
    assert db.session.get(Comment, parent.id).status == Status.PUBLISHED.value
