"""Reply emails as a reader meets them: the form's box, the confirmation email, the reply
email, and unsubscribing; sent to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support.blog import PAGE
from tests.support.mailservers import mail_settings, silent_server
from tests.support.reader import GITHUB, IFRAME, Reader, profile
from widget.auth.profiles import Profile
from widget.comments import moderation
from widget.extensions import db
from widget.models import Comment, OutboxMail, Subscriber, utcnow
from widget.notify import subscriptions

SERVICE = "https://comments.example.net"


@pytest.fixture
def app(make_app, smtp):  # type: ignore[no-untyped-def]
    _, port = smtp
    app = make_app(**mail_settings(port))
    with app.app_context():
        yield app


def post(post_json, site, **fields):  # type: ignore[no-untyped-def]
    payload = {
        "site": site.key,
        "url": PAGE,
        "title": "Growing tomatoes",
        "body": "First!",
        "author_name": "Ann",
        "author_email": "ann@example.com",
    } | fields
    response = post_json(payload)
    assert response.status_code in (201, 202), response.get_json()
    return response.get_json()


def deliver(app) -> None:  # type: ignore[no-untyped-def]
    """Run the worker, as another process would: the test's own session ends its transaction
    before and after, as each request of the real service does."""
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    db.session.commit()


def link(message, kind: str) -> str:  # type: ignore[no-untyped-def]
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"{SERVICE}(/notify/{kind}/\S+)", text)
    assert found, text
    return found.group(1)


def test_the_form_offers_the_box_unticked_when_mail_is_configured(client, site):
    page = client.get(f"/embed/thread?site={site.key}&url={PAGE}").get_data(as_text=True)
    assert "Notify me of follow-up comments by email" in page
    box = re.search(r'<input type="checkbox" name="notify_replies"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)


def test_without_a_mail_server_the_form_has_no_box(make_app, make_site):  # type: ignore[no-untyped-def]
    app = make_app()
    with app.app_context():
        site = make_site()
        page = app.test_client().get(f"/embed/thread?site={site.key}&url={PAGE}")
    assert "notify_replies" not in page.get_data(as_text=True)


def test_a_guest_gets_one_confirmation_with_nothing_a_stranger_wrote(app, site, post_json, smtp):
    inbox, _ = smtp
    post(
        post_json,
        site,
        body="Buy pills at spam.example",
        author_name="Mr Spam",
        notify_replies=True,
    )
    deliver(app)
    [(_, recipients, message)] = inbox.messages
    assert recipients == ["ann@example.com"]
    assert message["Subject"] == "Confirm reply emails from Blog"
    everything = message.as_string()
    assert "Growing tomatoes" in message.get_body(("plain",)).get_content()
    assert "pills" not in everything and "Mr Spam" not in everything
    assert message["List-Unsubscribe"].startswith(f"<{SERVICE}/notify/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "multipart/alternative"


def test_without_the_box_nothing_is_sent(app, site, post_json, smtp):
    inbox, _ = smtp
    post(post_json, site)
    deliver(app)
    assert inbox.messages == []
    assert db.session.scalars(select(Subscriber)).all() == []


def test_the_box_must_be_true_or_false(app, site, post_json):
    response = post_json(
        {
            "site": site.key,
            "url": PAGE,
            "body": "Hi",
            "author_name": "Ann",
            "author_email": "ann@example.com",
            "notify_replies": "yes",
        }
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "notify_replies"


def test_a_confirmed_guest_is_emailed_a_reply_with_its_text_and_link(app, site, post_json, smtp):
    inbox, _ = smtp
    parent = post(post_json, site, notify_replies=True)
    deliver(app)
    confirm = link(inbox.messages[0][2], "confirm")
    assert "Yes, email me" in app.test_client().get(confirm).get_data(as_text=True)
    assert "confirmed" in app.test_client().post(confirm).get_data(as_text=True)

    reply = post(
        post_json,
        site,
        body="Try *more* sun.",
        author_name="Bo",
        author_email="bo@example.com",
        parent_id=parent["id"],
    )
    deliver(app)
    assert len(inbox.messages) == 2
    _, recipients, message = inbox.messages[1]
    assert recipients == ["ann@example.com"]
    text = message.get_body(("plain",)).get_content()
    assert "Bo replied" in text and "Try *more* sun." in text
    assert f"{PAGE}#comment-{reply['id']}" in text
    html = message.get_body(("html",)).get_content()
    assert "<em>more</em>" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unconfirmed_address_is_not_emailed_replies(app, site, post_json, smtp):
    inbox, _ = smtp
    parent = post(post_json, site, notify_replies=True)
    post(post_json, site, author_email="bo@example.com", parent_id=parent["id"])
    deliver(app)
    assert [m["Subject"] for _, _, m in inbox.messages] == ["Confirm reply emails from Blog"]


def test_one_confirmation_a_day_however_many_posts_name_the_address(app, site, post_json, smtp):
    inbox, _ = smtp
    for n in range(5):
        post(post_json, site, body=f"Post {n}", notify_replies=True)
    deliver(app)
    assert len(inbox.messages) == 1

    a_day_ago = utcnow() - timedelta(days=1, seconds=1)
    db.session.execute(update(Subscriber).values(confirmation_sent_at=a_day_ago))
    db.session.commit()
    post(post_json, site, body="A day later", notify_replies=True)
    deliver(app)
    assert len(inbox.messages) == 2


def test_another_site_asks_the_address_on_its_own(app, make_site, post_json, smtp):
    inbox, _ = smtp
    first, second = make_site(name="One"), make_site(name="Two")
    post(post_json, first, notify_replies=True)
    post(post_json, second, notify_replies=True)
    deliver(app)
    assert sorted(m["Subject"] for _, _, m in inbox.messages) == [
        "Confirm reply emails from One",
        "Confirm reply emails from Two",
    ]


def test_after_a_one_click_unsubscribe_nothing_more_is_sent(app, site, post_json, smtp):
    inbox, _ = smtp
    parent = post(post_json, site, notify_replies=True)
    deliver(app)
    message = inbox.messages[0][2]
    app.test_client().post(link(message, "confirm"))

    # A mail client's one-click POST: no cookie, no CSRF token, only the URL of the header.
    url = message["List-Unsubscribe"].strip("<>").removeprefix(SERVICE)
    anonymous = app.test_client(use_cookies=False)
    response = anonymous.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Unsubscribed" in response.get_data(as_text=True)

    post(post_json, site, author_email="bo@example.com", parent_id=parent["id"])
    post(post_json, site, body="Again", notify_replies=True)  # a stranger ticks the box for Ann
    db.session.execute(update(Subscriber).values(confirmation_sent_at=None))
    db.session.commit()
    post(post_json, site, body="And again", notify_replies=True)
    deliver(app)
    assert len(inbox.messages) == 1


def test_unsubscribing_drops_what_was_queued_for_the_address(app, site, post_json, smtp):
    inbox, _ = smtp
    post(post_json, site, notify_replies=True)
    subscriber = db.session.scalars(select(Subscriber)).one()
    subscriptions.unsubscribe(subscriber)
    deliver(app)
    assert inbox.messages == []
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_an_unknown_token_is_not_found(client):
    assert client.get("/notify/confirm/nonsense").status_code == 404
    assert client.post("/notify/unsubscribe/nonsense").status_code == 404


def test_a_reply_of_ones_own_is_not_emailed_to_oneself(app, site, post_json, smtp):
    inbox, _ = smtp
    parent = post(post_json, site, notify_replies=True)
    deliver(app)
    app.test_client().post(link(inbox.messages[0][2], "confirm"))
    post(post_json, site, body="Adding to what I said", parent_id=parent["id"])
    deliver(app)
    assert len(inbox.messages) == 1


def test_a_held_reply_is_emailed_once_an_owner_approves_it(app, make_site, post_json, smtp):
    inbox, _ = smtp
    site = make_site()
    parent = post(post_json, site, notify_replies=True)
    deliver(app)
    app.test_client().post(link(inbox.messages[0][2], "confirm"))
    site.moderation = "all"
    db.session.commit()
    reply = post(post_json, site, author_email="bo@example.com", parent_id=parent["id"])
    deliver(app)
    assert len(inbox.messages) == 1  # held: nobody is told yet
    comment = db.session.get(Comment, reply["id"])
    moderation.moderate(comment, "approve")
    deliver(app)
    assert len(inbox.messages) == 2
    assert f"#comment-{reply['id']}" in inbox.messages[1][2].get_body(("plain",)).get_content()


def test_a_mail_server_that_hangs_adds_nothing_to_a_post(make_app, make_site):  # type: ignore[no-untyped-def]
    """The web process's own worker thread is stuck on a server that never answers (for up to
    its 5 s timeout): each post still answers at once, having only queued its email."""
    with silent_server() as port:
        app = make_app(**mail_settings(port, WIDGET_SMTP_TIMEOUT=5.0, WIDGET_MAIL_WORKER=True))
        with app.app_context():
            site = make_site()
            client = app.test_client()
            took = []
            for n in range(3):
                started = time.monotonic()
                response = client.post(
                    "/api/v1/comments",
                    headers=IFRAME,
                    json={
                        "site": site.key,
                        "url": PAGE,
                        "body": f"Post {n}",
                        "author_name": "Ann",
                        "author_email": f"ann{n}@example.com",
                        "notify_replies": True,
                    },
                )
                took.append(time.monotonic() - started)
                assert response.status_code == 201
            # Waiting on the server even once would take the 5 s of its timeout.
            assert max(took) < 2.5, took
            assert len(db.session.scalars(select(OutboxMail)).all()) == 3


def test_a_reader_signed_in_with_a_verified_email_needs_no_confirmation(make_app, make_site, smtp):  # type: ignore[no-untyped-def]
    inbox, port = smtp
    app = make_app(**mail_settings(port), **GITHUB)
    with app.app_context():
        site = make_site()
        client = app.test_client()
        reader = Reader(client, site)
        assert reader.sign_in().status_code == 200  # octo@example.com, verified by GitHub
        signed_in = IFRAME | {"Authorization": f"Bearer {reader.token}"}
        parent = client.post(
            "/api/v1/comments",
            headers=signed_in,
            json={"site": site.key, "url": PAGE, "body": "Hi", "notify_replies": True},
        ).get_json()
        client.post(
            "/api/v1/comments",
            headers=IFRAME,
            json={
                "site": site.key,
                "url": PAGE,
                "body": "Hello back",
                "author_name": "Bo",
                "author_email": "bo@example.com",
                "parent_id": parent["id"],
            },
        )
        deliver(app)
    [(_, recipients, message)] = inbox.messages
    assert recipients == ["octo@example.com"]
    assert message["Subject"].startswith("New reply on")


def test_an_unverified_provider_email_is_asked_to_confirm(make_app, make_site, smtp):  # type: ignore[no-untyped-def]
    inbox, port = smtp
    app = make_app(**mail_settings(port), **GITHUB)
    with app.app_context():
        site = make_site()
        client = app.test_client()
        reader = Reader(client, site)
        unverified = Profile(**(vars(profile()) | {"email_verified": False}))
        assert reader.sign_in(unverified).status_code == 200
        signed_in = IFRAME | {"Authorization": f"Bearer {reader.token}"}
        client.post(
            "/api/v1/comments",
            headers=signed_in,
            json={"site": site.key, "url": PAGE, "body": "Hi", "notify_replies": True},
        )
        deliver(app)
    [(_, _, message)] = inbox.messages
    assert message["Subject"] == "Confirm reply emails from Blog"


def test_a_stranger_typing_a_confirmed_address_gets_no_replies_relayed_to_it(
    app, site, post_json, smtp
):  # type: ignore[no-untyped-def]
    inbox, _ = smtp
    post(post_json, site, notify_replies=True)
    deliver(app)
    app.test_client().post(link(inbox.messages[0][2], "confirm"))  # Ann's own comment

    # Someone else posts as Ann, ticks the box, and answers themselves with their message.
    bait = post(post_json, site, body="Bait", notify_replies=True)
    post(post_json, site, body="Buy pills", author_email="spam@example.com", parent_id=bait["id"])
    deliver(app)
    assert len(inbox.messages) == 1  # not even a second confirmation request the same day


def test_a_later_confirmation_link_confirms_a_confirmed_guests_new_comment(
    app, site, post_json, smtp
):  # type: ignore[no-untyped-def]
    inbox, _ = smtp
    post(post_json, site, notify_replies=True)
    deliver(app)
    app.test_client().post(link(inbox.messages[0][2], "confirm"))
    a_day_ago = utcnow() - timedelta(days=1, seconds=1)
    db.session.execute(update(Subscriber).values(confirmation_sent_at=a_day_ago))
    db.session.commit()

    second = post(post_json, site, body="Another thought", notify_replies=True)
    deliver(app)
    assert len(inbox.messages) == 2  # asked again, for this comment
    confirm = link(inbox.messages[1][2], "confirm")
    assert "Yes, email me" in app.test_client().get(confirm).get_data(as_text=True)
    app.test_client().post(confirm)
    post(post_json, site, body="Reply", author_email="bo@example.com", parent_id=second["id"])
    deliver(app)
    assert len(inbox.messages) == 3
    assert inbox.messages[2][2]["Subject"] == "New reply on Growing tomatoes"
