"""Comment events: a receiver hears of a comment stored or moderated once it is committed, and
never of a post that was refused or rolled back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support.blog import guest
from widget.comments import blocks, events, moderation, services
from widget.comments.events import CommentPosted, StatusChanged
from widget.comments.services import NewComment, post_comment
from widget.extensions import db
from widget.models import Comment


class Heard:
    """What the receivers were sent, and each comment's status as committed when it was."""

    def __init__(self) -> None:
        self.events: list[CommentPosted | StatusChanged] = []
        self.committed: list[str | None] = []

    def __call__(self, app: Flask, event: CommentPosted | StatusChanged) -> None:
        self.events.append(event)
        # Another connection sees only what was committed.
        with db.engine.connect() as other:
            query = select(Comment.status).where(Comment.id == event.comment_id)
            self.committed.append(other.execute(query).scalar())


@pytest.fixture
def heard(app: Flask) -> Iterator[Heard]:
    heard = Heard()
    with (
        events.comment_posted.connected_to(heard),
        events.comment_status_changed.connected_to(heard),
    ):
        yield heard


def new(site: Any, **fields: Any) -> NewComment:
    return NewComment(**guest(site, **fields))


def test_a_new_comment_is_announced_once_committed(site, post_json, heard):
    answer = post_json(guest(site))
    comment = db.session.get(Comment, answer.json["id"])
    assert heard.events == [
        CommentPosted(comment_id=comment.id, site_id=site.id, thread_id=comment.thread_id,
                      parent_id=None, status="published", reason=None)
    ]  # fmt: skip
    assert heard.committed == ["published"]


def test_a_held_reply_is_announced_with_its_parent_and_reason(make_site, make_comment, heard):
    site = make_site(moderation="first-time")
    parent = make_comment(site, author_email="bo@example.com").comment
    moderation.moderate(parent, "approve")
    reply = make_comment(site, parent_id=parent.id).comment
    posted = heard.events[-1]
    assert isinstance(posted, CommentPosted)
    assert (posted.comment_id, posted.parent_id) == (reply.id, parent.id)
    assert (posted.status, posted.reason) == ("pending", "first_time")


def test_a_refused_post_announces_nothing(site, post_json, heard):
    blocks.block_value(site, "email", "ann@example.com", action="refuse")
    assert post_json(guest(site)).status_code == 403
    assert heard.events == []


def test_a_post_rolled_back_announces_nothing(site, heard, monkeypatch):
    def fails() -> None:
        db.session.flush()
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "commit_keeping_loaded", fails)
    with pytest.raises(RuntimeError):
        post_comment(new(site))
    assert db.session.scalar(select(Comment.id)) is None
    monkeypatch.undo()
    post_comment(new(site, body="The next one"))  # its commit sends its event, not the other's
    assert [e.status for e in heard.events] == ["published"]


def test_an_owner_decision_is_announced_with_both_statuses(make_site, make_comment, heard):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    moderation.moderate(comment, "approve")
    assert heard.events[-1] == StatusChanged(
        comment_id=comment.id, site_id=site.id, thread_id=comment.thread_id,
        old_status="pending", new_status="published", reason="owner",
    )  # fmt: skip
    assert heard.committed[-1] == "published"


def test_not_spam_is_announced_with_the_status_the_site_rules_give(make_site, make_comment, heard):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    moderation.moderate(comment, "spam")
    moderation.moderate(comment, "not-spam")
    changed = heard.events[-1]
    assert isinstance(changed, StatusChanged)
    assert (changed.old_status, changed.new_status, changed.reason) == (
        "spam",
        "pending",
        "all_held",
    )


def test_only_the_comments_an_action_changes_are_announced(site, make_comment, heard):
    one, two = make_comment(site).comment, make_comment(site).comment
    moderation.moderate(one, "spam")
    heard.events.clear()
    moderation.moderate_many(site, [one.id, two.id], "spam")
    assert [(e.comment_id, type(e)) for e in heard.events] == [(two.id, StatusChanged)]


def test_nothing_is_sent_before_the_transaction_around_a_savepoint_commits(site, heard):
    comment = post_comment(new(site)).comment
    heard.events.clear()
    with db.session.begin_nested():
        comment.status = "spam"
        events.status_changed(comment, "published", site.id)
    assert heard.events == []
    db.session.commit()
    assert [type(e) for e in heard.events] == [StatusChanged]


def test_a_receiver_may_read_the_database(site, app):
    names: list[str] = []

    def receiver(_: Flask, event: CommentPosted) -> None:
        names.append(db.session.get(Comment, event.comment_id).author_name)

    with events.comment_posted.connected_to(receiver):
        post_comment(new(site, author_name="Bo"))
    assert names == ["Bo"]


def test_a_failing_receiver_does_not_undo_the_post(site, post_json, caplog):
    def receiver(_: Flask, event: CommentPosted) -> None:
        raise ValueError("the mail server is down")

    with events.comment_posted.connected_to(receiver), caplog.at_level(logging.ERROR):
        answer = post_json(guest(site))
    assert answer.status_code == 201
    assert db.session.get(Comment, answer.json["id"]) is not None
    assert "the mail server is down" in caplog.text
