"""Attack: a provider profile whose link is `javascript:` or `data:`, shown on every comment.

The profile link is the signed-in author's name's href on every page they comment on, so it is
held to the rule the guest form's website field keeps: http(s) with a real host, else no link.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import urlsafe_b64encode

import pytest
from sqlalchemy import select

from tests.conftest import PAGE
from widget.auth import attempts
from widget.auth.providers import Profile
from widget.extensions import db
from widget.models import User

SERVICE = "https://comments.example.net"
IFRAME = {"X-Requested-With": "XMLHttpRequest", "Origin": SERVICE}
GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    with app.app_context():
        yield app


def sign_in(client, site, profile_url: str) -> str:  # type: ignore[no-untyped-def]
    verifier = secrets.token_urlsafe(32)
    challenge = urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    started = client.post(
        "/api/v1/auth/attempts",
        json={"site": site.key, "provider": "github", "challenge": challenge.decode()},
        headers=IFRAME,
    ).json
    popup = {"attempt": started["attempt"], "start_token": started["start_token"]}
    client.post("/auth/start", data=popup, headers={"Origin": SERVICE})
    attempts.complete(started["attempt"], Profile(
        provider="github", subject="4242", name="Octo Cat", avatar_url=None,
        profile_url=profile_url, email="octo@example.com", email_verified=True,
    ))  # fmt: skip
    redeemed = client.post(f"/api/v1/auth/attempts/{started['attempt']}/redeem",
                           json={"verifier": verifier}, headers=IFRAME)  # fmt: skip
    return redeemed.json["access_token"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "https://",
        "http:///no-host",
        'https://example.com/"onmouseover="alert(1)',
    ],
)
def test_a_profile_link_that_is_not_a_web_address_is_not_kept(client, site, post_json, url):
    token = sign_in(client, site, url)
    assert db.session.scalar(select(User.profile_url)) == ""
    posted = post_json({"site": site.key, "url": PAGE, "body": "Hi"},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert posted.json["author_url"] in (None, "")
    page = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE})
    text = page.get_data(as_text=True).lower()
    assert "javascript:" not in text and "vbscript:" not in text and "data:text" not in text


def test_a_web_profile_link_is_kept(client, site):
    sign_in(client, site, "https://github.com/octo")
    assert db.session.scalar(select(User.profile_url)) == "https://github.com/octo"


def test_links_stored_before_are_dropped_by_the_migration(make_app):
    from sqlalchemy import text

    app = make_app(create_schema=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "54d5884ae051"]).exit_code == 0
    with app.app_context():
        for name, link in [("bad", "javascript:alert(1)"), ("data", "DATA:text/html,x"),
                           ("good", "https://github.com/octo"), ("none", "")]:  # fmt: skip
            db.session.execute(
                text("INSERT INTO \"user\" (name, profile_url, avatar_type, avatar_version, "
                     "created_at, updated_at) VALUES (:n, :u, '', '', :t, :t)"),
                {"n": name, "u": link, "t": "2026-11-01 00:00:00"},
            )  # fmt: skip
        db.session.commit()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        links = dict(db.session.execute(select(User.name, User.profile_url)).all())
    assert links == {"bad": "", "data": "", "good": "https://github.com/octo", "none": ""}
