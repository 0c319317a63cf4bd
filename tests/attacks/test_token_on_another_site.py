"""Attack: a reader's token, made when they signed in on one site, used on another site's thread.

Every site's iframe shares the service's origin, so a token is only a string the API is sent:
the site it was made for must be the site it acts on, as docs/api.md promises.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from widget.extensions import db
from widget.models import Comment

BLOG_B = "https://b.example"


@pytest.fixture
def app(github_app):  # type: ignore[no-untyped-def]
    return github_app


def comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_a_token_made_on_one_site_cannot_post_on_another_sites_thread(signed_in, client, make_site,
                                                                      post_json):  # fmt: skip
    site_a = make_site()
    site_b = make_site(origins=[BLOG_B], name="B")
    token = signed_in(site_a)
    response = post_json({"site": site_b.key, "url": f"{BLOG_B}/post/", "body": "Not my site"},
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 403
    assert response.json["error"]["code"] == "wrong_site"
    assert comments() == 0


def test_the_same_token_still_posts_on_its_own_site(signed_in, client, make_site, post_json):
    site_a = make_site()
    make_site(origins=[BLOG_B], name="B")
    token = signed_in(site_a)
    mine = {"site": site_a.key, "url": "https://blog.example.com/post/", "body": "My site"}
    response = post_json(mine, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.json


def test_me_asked_for_another_site_refuses_the_token(signed_in, client, make_site):
    site_a = make_site()
    site_b = make_site(origins=[BLOG_B], name="B")
    token = signed_in(site_a)
    bearer = {"Authorization": f"Bearer {token}"}
    other = client.get("/api/v1/me", query_string={"site": site_b.key}, headers=bearer)
    assert other.status_code == 403
    assert other.json["error"]["code"] == "wrong_site"
    own = client.get("/api/v1/me", query_string={"site": site_a.key}, headers=bearer)
    assert own.status_code == 200
