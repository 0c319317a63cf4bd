"""Attack: a provider profile whose link is `javascript:` or `data:`, shown on every comment.

The profile link is the signed-in author's name's href on every page they comment on, so it is
held to the rule the guest form's website field keeps: http(s) with a real host, else no link.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.blog import PAGE
from widget.extensions import db
from widget.models import User


@pytest.fixture
def app(github_app):  # type: ignore[no-untyped-def]
    return github_app


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
def test_a_profile_link_that_is_not_a_web_address_is_not_kept(
    signed_in, client, site, post_json, url
):
    token = signed_in(site, url)
    assert db.session.scalar(select(User.profile_url)) == ""
    posted = post_json({"site": site.key, "url": PAGE, "body": "Hi"},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert posted.json["author_url"] in (None, "")
    page = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE})
    text = page.get_data(as_text=True).lower()
    assert "javascript:" not in text and "vbscript:" not in text and "data:text" not in text


def test_a_web_profile_link_is_kept(signed_in, client, site):
    signed_in(site, "https://github.com/octo")
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
