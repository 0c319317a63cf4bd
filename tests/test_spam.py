"""The widget form's spam checks: honeypot, minimum time, Akismet. Held, never lost."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from tests.support.blog import guest
from tests.support.reader import GITHUB, IFRAME, Reader
from widget.extensions import db
from widget.models import Comment

SPAMMER = "viagra-test-123"  # Akismet's documented name that always gets "true"


class AkismetStandIn(BaseHTTPRequestHandler):
    """Speaks Akismet's comment-check protocol (form POST, "true"/"false" or "invalid")."""

    calls: ClassVar[list[dict[str, list[str]]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        AkismetStandIn.calls.append(form)
        if self.path != "/1.1/comment-check":
            self.send_response(404)
            self.end_headers()
            return
        if form.get("api_key") != ["good-key"]:
            body, extra = b"invalid", {"X-akismet-debug-help": "Empty or invalid API key"}
        else:
            spam = SPAMMER in form.get("comment_author", [""])[0]
            body, extra = (b"true" if spam else b"false"), {}
        self.send_response(200)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def akismet_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AkismetStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    AkismetStandIn.calls = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(make_app, akismet_url):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_SPAM_CHECKS=True, WIDGET_SPAM_MIN_SECONDS=3,
                   WIDGET_AKISMET_KEY="good-key", WIDGET_AKISMET_URL=akismet_url)  # fmt: skip
    with app.app_context():
        yield app


def form_token(app, seconds_ago: float) -> str:  # type: ignore[no-untyped-def]
    """What the widget was handed when it showed the form, `seconds_ago`."""
    signer = URLSafeSerializer(app.config["SECRET_KEY"], salt="widget.comment-form")
    return signer.dumps({"t": time.time() - seconds_ago, "n": secrets.token_urlsafe(16)})


def statuses() -> list[str]:
    return list(db.session.scalars(select(Comment.status).order_by(Comment.id)))


def test_a_person_who_took_their_time_is_published(app, site, post_json):
    response = post_json(guest(site, form_token=form_token(app, 30), homepage=""))
    assert response.status_code == 201
    assert AkismetStandIn.calls[0]["comment_content"] == ["A thoughtful comment."]
    assert AkismetStandIn.calls[0]["blog"] == [site.origin_list[0]]


def test_the_widget_gets_a_form_token_on_each_view(app, client, site):
    resumed = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    shown = URLSafeSerializer(app.config["SECRET_KEY"], salt="widget.comment-form").loads(
        resumed.json["form_token"]
    )
    assert abs(shown["t"] - time.time()) < 5


def test_filling_the_honeypot_keeps_the_comment_as_spam(app, client, site, post_json):
    response = post_json(
        guest(site, form_token=form_token(app, 30), homepage="http://spam.example")
    )
    assert response.status_code == 202  # the same answer as any held comment: no hint to the bot
    assert statuses() == ["spam"]
    thread = client.get(
        "/api/v1/threads", query_string={"site": site.key, "url": guest(site)["url"]}
    )
    assert thread.json["comments"] == []


def test_posting_within_seconds_of_seeing_the_form_is_held(app, site, post_json):
    assert post_json(guest(site, form_token=form_token(app, 1))).status_code == 202
    assert statuses() == ["pending"]


@pytest.mark.parametrize("token", [None, "", "forged.token", 12, "x" * 500])
def test_a_missing_or_forged_form_token_is_held(app, site, post_json, token):
    payload = guest(site) | ({} if token is None else {"form_token": token})
    assert post_json(payload).status_code == 202
    assert statuses() == ["pending"]


def test_a_day_old_form_token_is_held(app, site, post_json):
    assert post_json(guest(site, form_token=form_token(app, 90_000))).status_code == 202


def test_akismet_spam_is_kept_as_spam(app, site, post_json):
    response = post_json(guest(site, author_name=SPAMMER, form_token=form_token(app, 30)))
    assert response.status_code == 202
    assert statuses() == ["spam"]


def test_akismet_with_a_bad_key_does_not_block_comments(make_app, akismet_url, post_json):  # type: ignore[no-untyped-def]
    app = make_app(
        WIDGET_SPAM_CHECKS=True, WIDGET_AKISMET_KEY="bad-key", WIDGET_AKISMET_URL=akismet_url
    )
    with app.app_context():
        from widget.sites import create_site

        site = create_site("B", ["https://blog.example.com"])
        client = app.test_client()
        response = client.post("/api/v1/comments", json=guest(site, form_token=form_token(app, 30)),
                               headers=IFRAME)  # fmt: skip
        assert response.status_code == 201


def test_akismet_unreachable_does_not_block_comments(make_app, post_json):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_SPAM_CHECKS=True, WIDGET_AKISMET_KEY="good-key",
                   WIDGET_AKISMET_URL="http://127.0.0.1:9")  # fmt: skip
    with app.app_context():
        from widget.sites import create_site

        site = create_site("B", ["https://blog.example.com"])
        response = app.test_client().post(
            "/api/v1/comments", json=guest(site, form_token=form_token(app, 30)), headers=IFRAME
        )
        assert response.status_code == 201


def test_spam_checks_can_be_switched_off_for_bulk_tools(make_app):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_SPAM_CHECKS=False)
    with app.app_context():
        from widget.sites import create_site

        site = create_site("B", ["https://blog.example.com"])
        response = app.test_client().post("/api/v1/comments", json=guest(site), headers=IFRAME)
        assert response.status_code == 201


def test_signed_in_readers_skip_the_form_checks(make_app):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_SPAM_CHECKS=True, **GITHUB)
    with app.app_context():
        from widget.sites import create_site

        site = create_site("B", ["https://blog.example.com"])
        client = app.test_client()
        token = Reader(client, site).sign_in().json["access_token"]
        response = client.post(
            "/api/v1/comments",
            json={"site": site.key, "url": guest(site)["url"], "body": "Hello"},
            headers=IFRAME | {"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201


def test_a_signed_token_without_a_nonce_is_held(app, site, post_json):
    bare_time = URLSafeSerializer(app.config["SECRET_KEY"], salt="widget.comment-form").dumps(
        time.time() - 30
    )
    assert post_json(guest(site, form_token=bare_time)).status_code == 202
    assert statuses() == ["pending"]


def test_spent_tokens_are_forgotten_once_they_would_be_too_old_anyway(app, site, post_json):
    from datetime import timedelta

    from widget.models import SpentFormToken, utcnow

    db.session.add(SpentFormToken(nonce="x" * 22, expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert post_json(guest(site, form_token=form_token(app, 30))).status_code == 201
    kept = list(db.session.scalars(select(SpentFormToken.nonce)))
    assert len(kept) == 1 and kept != ["x" * 22]


def reasons() -> list[tuple[str, str | None]]:
    query = select(Comment.status, Comment.status_reason).order_by(Comment.id)
    return [(status, reason) for status, reason in db.session.execute(query)]


@pytest.mark.parametrize(
    ("fields", "kept"),
    [
        ({"homepage": "http://spam.example", "seconds_ago": 30}, ("spam", "honeypot")),
        ({}, ("pending", "no_token")),
        ({"seconds_ago": 1}, ("pending", "too_quick")),
        ({"seconds_ago": 90_000}, ("pending", "stale_token")),
        ({"author_name": SPAMMER, "seconds_ago": 30}, ("spam", "akismet")),
        ({"seconds_ago": 30}, ("published", None)),
    ],
)
def test_the_check_a_comment_failed_is_kept_as_its_reason(app, site, post_json, fields, kept):
    fields = dict(fields)
    if (seconds_ago := fields.pop("seconds_ago", None)) is not None:
        fields["form_token"] = form_token(app, seconds_ago)
    post_json(guest(site, **fields))
    assert reasons() == [kept]


def test_a_replayed_form_token_is_kept_as_its_reason(app, site, post_json):
    token = form_token(app, 30)
    post_json(guest(site, form_token=token))
    post_json(guest(site, form_token=token, body="Again, the same token"))
    assert reasons() == [("published", None), ("pending", "replayed_token")]


def test_a_comment_the_site_holds_and_the_checks_call_spam_is_spam(app, make_site, post_json):
    site = make_site(moderation="all", origins=["https://b.example"], name="B")
    post_json(guest(site, url="https://b.example/p/", homepage="x", form_token=form_token(app, 30)))
    assert reasons() == [("spam", "honeypot")]


def test_a_comment_the_site_holds_keeps_the_site_rule_over_the_checks_hold(
    app, make_site, post_json
):
    site = make_site(moderation="all", origins=["https://b.example"], name="B")
    post_json(guest(site, url="https://b.example/p/", form_token=form_token(app, 1)))
    assert reasons() == [("pending", "all_held")]
