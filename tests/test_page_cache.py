"""The thread page is cached per version and answered 304 when the reader's copy is current;
every change a reader could see makes a new version."""

from __future__ import annotations

import gzip

import pytest

from tests.support.blog import BLOG, PAGE
from widget.comments import moderation
from widget.extensions import db
from widget.models import Comment, Site


def view(client, site, **headers):  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "title": "Hello", "parent": BLOG}
    return client.get("/embed/thread", query_string=query, headers=headers)


def etag_of(client, site) -> str:  # type: ignore[no-untyped-def]
    return view(client, site).headers["ETag"]


def test_a_current_copy_is_answered_304_with_no_body(client, site, make_comment):
    make_comment(site)
    first = view(client, site)
    assert first.status_code == 200
    again = view(client, site, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "frame-ancestors" in again.headers["Content-Security-Policy"]


def test_readers_revalidate_every_time(client, site):
    response = view(client, site)
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Vary"] == "Accept-Encoding"


def test_the_page_is_served_gzipped_to_browsers_that_ask(client, site, make_comment):
    make_comment(site, body="Zipped words")
    plain = view(client, site)
    zipped = view(client, site, **{"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert b"Zipped words" in plain.data
    assert len(zipped.data) < len(plain.data)


def test_the_same_page_for_every_embedding(client, site):
    # parent and hl are read by thread.js, so the cache holds one page, not one per reader.
    a = view(client, site)
    b = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE,
                                                  "title": "Hello", "parent": "https://x.example",
                                                  "hl": "comment-1"})  # fmt: skip
    assert a.headers["ETag"] == b.headers["ETag"]
    assert a.data == b.data


def test_themes_are_different_pages(client, site):
    light = client.get(
        "/embed/thread", query_string={"site": site.key, "url": PAGE, "theme": "light"}
    )
    dark = client.get(
        "/embed/thread", query_string={"site": site.key, "url": PAGE, "theme": "dark"}
    )
    assert light.headers["ETag"] != dark.headers["ETag"]


def change(kind: str, site: Site, make_comment) -> None:  # type: ignore[no-untyped-def]
    comment = db.session.get(Comment, make_comment.first)
    if kind == "new comment":
        make_comment(site, body="Another")
    elif kind == "approved":
        moderation.moderate(make_comment(site, body="Held").comment, "approve")
    elif kind == "deleted":
        moderation.moderate(comment, "delete")
    elif kind == "edited":
        moderation.edit(comment, "New words")
    elif kind == "marked spam":
        moderation.moderate(comment, "spam")
    elif kind == "setting":
        site.guests_allowed = False
        db.session.commit()
    elif kind == "origin added":
        from widget.models import SiteOrigin

        site.origins.append(SiteOrigin(origin="https://www.blog.example.com"))
        db.session.commit()


@pytest.mark.parametrize(
    "kind", ["new comment", "deleted", "edited", "marked spam", "setting", "origin added"]
)
def test_every_visible_change_makes_a_new_version(client, site, make_comment, kind):
    posted = make_comment(site, body="First words")
    make_comment.first = posted.comment.id
    before = view(client, site)
    change(kind, site, make_comment)
    after = view(client, site, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200, kind
    assert after.headers["ETag"] != before.headers["ETag"]
    if kind == "edited":
        assert b"New words" in after.data
    if kind in ("deleted", "marked spam"):
        assert b"First words" not in after.data


def test_approving_a_held_comment_shows_it_at_once(client, make_site, make_comment):
    site = make_site(moderation="all")
    held = make_comment(site, body="Waiting words").comment
    before = view(client, site)
    assert b"Waiting words" not in before.data
    moderation.moderate(db.session.get(Comment, held.id), "approve")
    after = view(client, site, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert b"Waiting words" in after.data


def test_a_deploy_of_new_templates_is_a_new_version(client, site, monkeypatch):
    from widget import assets

    before = etag_of(client, site)
    monkeypatch.setattr(assets, "build_id", lambda: "another-build")
    assert etag_of(client, site) != before


def test_static_assets_are_fingerprinted_and_kept_a_year(client, site):
    html = view(client, site).get_data(as_text=True)
    src = html.split('<script src="')[1].split('"')[0]
    assert "?v=" in src
    response = client.get(src)
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    stale = client.get("/static/thread.js?v=old")
    assert stale.cache_control.max_age == 3600


def test_the_loader_is_kept_only_minutes(client):
    assert client.get("/embed.js").cache_control.max_age == 300


def test_json_and_scripts_are_compressed(client, site):
    response = client.get("/static/thread.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") in ("gzip", "br")


@pytest.mark.parametrize("field", ["name", "profile_url", "avatar_version"])
def test_a_signed_in_authors_new_profile_shows_at_once(client, site, field):
    """Signed-in authors are shown as their provider shows them now: signing in again with a
    new name (or picture) changes every page they commented on."""
    from widget.comments.services import NewComment, post_comment
    from widget.models import Identity, User

    user = User(name="Old Name", profile_url="https://github.com/old")
    identity = Identity(user=user, provider="github", subject="77", email="o@example.com")
    db.session.add_all([user, identity])
    db.session.commit()
    new = NewComment(site=site.key, url=PAGE, title="Hello", body="Signed words",
                     author_name="", author_email="")  # fmt: skip
    post_comment(new, viewer=identity)
    before = view(client, site)
    setattr(user, field, {"name": "New Name", "profile_url": "https://github.com/new",
                          "avatar_version": "abc123"}[field])  # fmt: skip
    db.session.commit()
    after = view(client, site, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert {"name": b"New Name", "profile_url": b"github.com/new",
            "avatar_version": b"abc123"}[field] in after.data  # fmt: skip


def test_a_renamed_author_costs_the_same_statements_for_1_or_40_threads(app, site):
    """A prolific author signing in with a new name moves every thread they commented on, in
    one statement: not one read and one write per thread."""
    from sqlalchemy import select

    from tests.support.queries import count_queries
    from widget.comments.services import NewComment, post_comment
    from widget.models import Identity, Thread, User

    def author_of(pages: int) -> tuple[User, list[int]]:
        user = User(name="Old Name")
        identity = Identity(user=user, provider="github", subject=f"s{pages}", email="")
        db.session.add_all([user, identity])
        db.session.commit()
        for n in range(pages):
            new = NewComment(site=site.key, url=f"{BLOG}/{pages}/{n}/", title="T", body="Hi",
                             author_name="", author_email="")  # fmt: skip
            post_comment(new, viewer=identity)
        versions = db.session.scalars(
            select(Thread.version).where(Thread.url.startswith(f"{BLOG}/{pages}/"))
        ).all()
        return user, versions

    def rename(user: User) -> None:
        db.session.expire_all()  # each rename starts alike: the user is read, then written
        user.name = "New Name"
        db.session.commit()

    one, _ = author_of(1)
    many, before = author_of(40)
    assert count_queries(app, lambda: rename(many)) == count_queries(app, lambda: rename(one))
    after = db.session.scalars(
        select(Thread.version).where(Thread.url.startswith(f"{BLOG}/40/"))
    ).all()
    assert len(after) == 40
    assert sorted(after) == sorted(v + 1 for v in before)
