"""Attack: a reader's token, made when they signed in on one site, used on another site's thread.

Every site's iframe shares the service's origin, so a token is only a string the API is sent:
the site it was made for must be the site it acts on, as docs/api.md promises.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import urlsafe_b64encode

import pytest
from sqlalchemy import func, select

from widget.auth import attempts
from widget.auth.providers import Profile
from widget.extensions import db
from widget.models import Comment

SERVICE = "https://comments.example.net"
IFRAME = {"X-Requested-With": "XMLHttpRequest", "Origin": SERVICE}
GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}
BLOG_B = "https://b.example"


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    with app.app_context():
        yield app


def token_for(client, site) -> str:  # type: ignore[no-untyped-def]
    """Sign in on `site` as the iframe does (the provider's answer stood in for)."""
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
        profile_url=None, email="octo@example.com", email_verified=True,
    ))  # fmt: skip
    redeemed = client.post(f"/api/v1/auth/attempts/{started['attempt']}/redeem",
                           json={"verifier": verifier}, headers=IFRAME)  # fmt: skip
    return redeemed.json["access_token"]


def comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_a_token_made_on_one_site_cannot_post_on_another_sites_thread(client, make_site,
                                                                      post_json):  # fmt: skip
    site_a = make_site()
    site_b = make_site(origins=[BLOG_B], name="B")
    token = token_for(client, site_a)
    response = post_json({"site": site_b.key, "url": f"{BLOG_B}/post/", "body": "Not my site"},
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 403
    assert response.json["error"]["code"] == "wrong_site"
    assert comments() == 0


def test_the_same_token_still_posts_on_its_own_site(client, make_site, post_json):
    site_a = make_site()
    make_site(origins=[BLOG_B], name="B")
    token = token_for(client, site_a)
    mine = {"site": site_a.key, "url": "https://blog.example.com/post/", "body": "My site"}
    response = post_json(mine, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.json


def test_me_asked_for_another_site_refuses_the_token(client, make_site):
    site_a = make_site()
    site_b = make_site(origins=[BLOG_B], name="B")
    token = token_for(client, site_a)
    bearer = {"Authorization": f"Bearer {token}"}
    other = client.get("/api/v1/me", query_string={"site": site_b.key}, headers=bearer)
    assert other.status_code == 403
    assert other.json["error"]["code"] == "wrong_site"
    own = client.get("/api/v1/me", query_string={"site": site_a.key}, headers=bearer)
    assert own.status_code == 200
