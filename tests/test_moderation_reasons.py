"""Why a comment has its status: each moderation rule stores its reason with the comment, an
owner's decision stores "owner", and the queue and the Spam list say which it was."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import column, insert, inspect, select, table

from tests.support.blog import guest
from tests.support.dashboard import signed_in
from widget.comments import blocks, moderation, rules
from widget.comments.services import NewComment, post_comment
from widget.comments.verdicts import Reason, Verdict, describe
from widget.extensions import db
from widget.models import Comment, Identity, Status, Thread, User, utcnow


def stored(comment_id: int) -> tuple[str, str | None]:
    comment = db.session.get(Comment, comment_id)
    db.session.refresh(comment)
    return comment.status, comment.status_reason


def posted(post_json, payload) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    response = post_json(payload)
    assert response.status_code in (201, 202), response.json
    return stored(response.json["id"])


def held_item(page: str, comment_id: int) -> str:
    """One comment's row in the queue or the Spam list."""
    match = re.search(rf'<li class="card queue-item" id="c{comment_id}">.*?</li>', page, re.S)
    assert match, f"comment {comment_id} is not listed"
    return match[0]


def test_a_comment_no_rule_holds_is_published_with_no_reason(site, post_json):
    assert posted(post_json, guest(site)) == ("published", None)


def test_a_hold_block_keeps_its_reason(site, post_json):
    blocks.block_value(site, "email", "ann@example.com", action="hold")
    assert posted(post_json, guest(site)) == ("pending", "blocked_hold")


def test_a_held_word_keeps_its_reason(make_site, post_json):
    site = make_site(held_words=["casino"])
    assert posted(post_json, guest(site, body="Best CASINO in town")) == ("pending", "held_word")


def test_holding_every_comment_keeps_its_reason(make_site, post_json):
    site = make_site(moderation="all")
    assert posted(post_json, guest(site)) == ("pending", "all_held")


def test_too_many_links_keeps_its_reason(make_site, post_json):
    site = make_site(moderation="links", link_limit=1)
    body = "https://a.example and https://b.example"
    assert posted(post_json, guest(site, body=body)) == ("pending", "links")


def test_a_first_comment_keeps_its_reason(make_site, post_json):
    site = make_site(moderation="first-time")
    assert posted(post_json, guest(site)) == ("pending", "first_time")


def test_the_first_rule_in_order_gives_the_reason_of_a_hold(make_site, post_json):
    site = make_site(moderation="all", held_words=["casino"])
    assert posted(post_json, guest(site, body="casino")) == ("pending", "held_word")


def test_a_refused_comment_is_not_stored(site, post_json):
    blocks.block_value(site, "email", "ann@example.com", action="refuse")
    assert post_json(guest(site)).status_code == 403
    assert db.session.scalar(select(Comment.id)) is None


def test_the_gravest_verdict_wins_and_a_refusal_stops_the_asking(site):
    asked: list[str] = []

    def rule(name: str, verdict: Verdict | None) -> rules.Rule:
        def check(_: rules.Candidate) -> Verdict | None:
            asked.append(name)
            return verdict

        return check

    candidate = rules.Candidate(site=site, body="", html="", email="")
    hold, spam = Verdict("pending", "first"), Verdict("spam", "second")
    assert rules.judge(candidate, [rule("a", hold), rule("b", spam)]) == spam
    assert rules.judge(candidate, [rule("c", hold), rule("d", Verdict("pending", "x"))]) == hold
    refused = Verdict("refused", "blocked")
    assert rules.judge(candidate, [rule("e", refused), rule("f", spam)]) == refused
    assert asked == ["a", "b", "c", "d", "e"]


def test_a_signed_in_first_comment_says_account(make_site):
    site = make_site(moderation="first-time")
    user = User(name="Bo")
    identity = Identity(provider="github", subject="42", email="bo@example.com", user=user)
    db.session.add(identity)
    db.session.commit()
    new = NewComment(site=site.key, url=guest(site)["url"], body="Hi", author_name="",
                     author_email="")  # fmt: skip
    comment = post_comment(new, viewer=identity).comment
    assert comment.status_reason == "first_time"
    assert describe(comment) == "Held: first comment from this account"


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("approve", "pending", "published"),
        ("spam", "published", "spam"),
        ("delete", "published", "deleted"),
        ("restore", "deleted", "published"),
        ("not-spam", "spam", "published"),
    ],
)
def test_an_owner_decision_keeps_owner_as_its_reason(site, make_comment, action, before, after):
    comment = make_comment(site).comment
    comment.status, comment.status_reason = before, Reason.HONEYPOT
    db.session.commit()
    moderation.moderate(comment, action)
    assert stored(comment.id) == (after, "owner")


def test_not_spam_that_the_site_holds_keeps_the_rule_as_its_reason(make_site, make_comment):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    moderation.moderate(comment, "spam")
    moderation.moderate(comment, "not-spam")
    assert stored(comment.id) == ("pending", "all_held")


def test_not_spam_from_a_refused_writer_is_held_as_blocked(site, make_comment):
    comment = make_comment(site, author_email="troll@example.com").comment
    moderation.moderate(comment, "spam")
    blocks.block_value(site, "email", "troll@example.com", action="refuse")
    moderation.moderate(comment, "not-spam")
    assert stored(comment.id) == ("pending", "blocked")


def test_an_action_that_changes_nothing_keeps_the_reason(make_site, make_comment):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    moderation.moderate(comment, "not-spam")  # not spam: left as it is
    assert stored(comment.id) == ("pending", "all_held")


def test_an_owner_reply_approves_the_held_parent_as_the_owner(client, make_site, make_comment):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    dashboard = signed_in(client, site)
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/reply", data={"body": "Hi"})
    assert stored(comment.id) == ("published", "owner")


def test_the_queue_says_why_each_comment_is_held(client, make_site, post_json):
    site = make_site(moderation="first-time", held_words=["casino"])
    first = post_json(guest(site)).json["id"]
    word = post_json(guest(site, body="casino", author_email="bo@example.com")).json["id"]
    page = signed_in(client, site).text(f"/dashboard/sites/{site.id}/queue")
    assert "Held: first comment from this email" in held_item(page, first)
    assert "Held: it has a word the site holds" in held_item(page, word)


def test_the_spam_list_tells_the_checks_from_the_owner(client, app, site, post_json, monkeypatch):
    monkeypatch.setitem(app.config, "WIDGET_SPAM_CHECKS", True)
    bot = post_json(guest(site, homepage="http://spam.example")).json["id"]
    monkeypatch.setitem(app.config, "WIDGET_SPAM_CHECKS", False)
    person = post_json(guest(site, author_email="bo@example.com")).json["id"]
    dashboard = signed_in(client, site)
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{person}/spam")
    page = dashboard.text(f"/dashboard/sites/{site.id}/spam")
    assert "Spam: honeypot filled" in held_item(page, bot)
    assert "Spam: marked spam by the owner" in held_item(page, person)


def test_a_comment_without_a_reason_shows_none(client, make_site, make_comment):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    comment.status_reason = None  # as stored before reasons were kept
    db.session.commit()
    page = signed_in(client, site).text(f"/dashboard/sites/{site.id}/queue")
    assert 'class="reason' not in held_item(page, comment.id)


def test_readers_never_get_the_reason(client, make_site, post_json):
    site = make_site(moderation="all")
    answer = post_json(guest(site))
    assert answer.status_code == 202
    assert "all_held" not in answer.get_data(as_text=True)


def comment_columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("comment")}


_SITE_AT_0008 = table(
    "site", column("id"), column("key"), column("name"), column("moderation"),
    column("guests_allowed"), column("link_limit"), column("created_at"),
)  # fmt: skip


def test_the_migration_adds_the_reason_and_takes_it_away(make_app):
    app = make_app(create_schema=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0008_owner_sessions"]).exit_code == 0
    with app.app_context():
        assert "status_reason" not in comment_columns()
        # The site as that revision knew it: the model has columns added since.
        site_id = db.session.execute(
            insert(_SITE_AT_0008).values(
                key="k", name="Blog", moderation="off", guests_allowed=True, link_limit=2,
                created_at=utcnow(),
            ).returning(_SITE_AT_0008.c.id)
        ).scalar_one()  # fmt: skip
        thread = Thread(site_id=site_id, url_key="https://blog.example.com/p", url="", title="")
        db.session.add(thread)
        db.session.commit()
        db.session.execute(
            insert(Comment.__table__).values(
                thread_id=thread.id, author_name="Old", body="b", html="<p>b</p>",
                status=Status.PENDING.value,
            )
        )  # fmt: skip
        db.session.commit()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    with app.app_context():
        assert "status_reason" in comment_columns()
        assert db.session.scalars(select(Comment.status_reason)).all() == [None]
    downgrade = runner.invoke(args=["db", "downgrade", "0008_owner_sessions"])
    assert downgrade.exit_code == 0, downgrade.output
    with app.app_context():
        assert "status_reason" not in comment_columns()
        assert db.session.execute(select(Comment.__table__.c.author_name)).scalars().all() == [
            "Old"
        ]
