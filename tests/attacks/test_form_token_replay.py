"""A bot asks for one comment-form token (it proves "the form was shown N seconds ago") and
sends it with a flood of posts, all at once and through every worker: one token must pass the
check once. A real reader who comments and then replies from one page view loses nothing."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.support import servers
from tests.support.blog import PAGE, guest
from widget.extensions import db
from widget.models import Comment

FLOOD = 50
IFRAME = {"X-Requested-With": "XMLHttpRequest", "Origin": "https://comments.example.net"}


def statuses_stored(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("SELECT status FROM comment ORDER BY id"))]
    engine.dispose()
    return rows


def test_one_form_token_sent_with_fifty_posts_at_once_passes_the_check_at_most_once(
    database_url, tmp_path
):
    env = servers.service_env(
        database_url, tmp_path, WIDGET_SPAM_CHECKS="1", WIDGET_SPAM_MIN_SECONDS="0",
        WIDGET_RATELIMIT_POST="100000 per minute",
    )  # fmt: skip
    key = servers.create_site(env)
    with servers.gunicorn(env, tmp_path / "access.log", workers=2) as server:
        headers = {"X-Requested-With": "XMLHttpRequest", "Origin": server.url}
        token = requests.post(f"{server.url}/api/v1/session/resume", json={"site": key},
                              headers=headers, timeout=30).json()["form_token"]  # fmt: skip

        def post(n: int) -> int:
            payload = {"site": key, "url": f"{servers.BLOG}/p/", "body": f"Buy now {n}",
                       "author_name": "Bot", "author_email": "bot@example.com",
                       "form_token": token, "homepage": ""}  # fmt: skip
            return requests.post(f"{server.url}/api/v1/comments", json=payload,
                                 headers=headers | {"Connection": "close"},
                                 timeout=60).status_code  # fmt: skip

        with ThreadPoolExecutor(max_workers=10) as bots:
            answers = list(bots.map(post, range(FLOOD)))
        assert len(server.answered_by("201 202")) == 2, "both workers took some of the flood"

    assert answers.count(201) <= 1, answers
    assert answers.count(202) == FLOOD - answers.count(201)  # held, never an error
    stored = statuses_stored(database_url)
    assert len(stored) == FLOOD  # nothing lost: the owner sees the rest in the queue
    assert stored.count("published") <= 1
    assert stored.count("pending") >= FLOOD - 1


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_SPAM_CHECKS=True, WIDGET_SPAM_MIN_SECONDS=0.3)
    with app.app_context():
        yield app


def form_token(client, site) -> str:  # type: ignore[no-untyped-def]
    """What the widget is handed when it shows the form (POST /session/resume)."""
    resumed = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    return resumed.json["form_token"]


def test_a_token_sent_again_is_held_for_the_owner_not_refused(app, client, site, post_json):
    token = form_token(client, site)
    time.sleep(0.4)
    assert post_json(guest(site, form_token=token, homepage="")).status_code == 201
    again = post_json(guest(site, form_token=token, homepage="", body="Same token again"))
    assert again.status_code == 202
    assert [c.status for c in db.session.scalars(db.select(Comment).order_by(Comment.id))] == [
        "published",
        "pending",
    ]


def test_a_reader_who_comments_then_replies_from_one_page_view_is_published_twice(
    app, client, site, post_json
):
    token = form_token(client, site)  # the page view's one resume
    time.sleep(0.4)  # reading, then writing
    first = post_json(guest(site, form_token=token, homepage=""))
    assert first.status_code == 201
    time.sleep(0.4)  # writing the reply
    reply = post_json(
        guest(site, form_token=first.json["form_token"], homepage="", parent_id=first.json["id"],
              body="And a reply to myself.")
    )  # fmt: skip
    assert reply.status_code == 201
    thread = client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE})
    assert [c["status"] for c in thread.json["comments"]] == ["published", "published"]
