"""The thread page from memory, in front of Flask: the same answer as the app's, given again
only while the database still holds what it was rendered from, whoever changed it."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import create_engine, text

from tests.support.blog import BLOG, PAGE
from tests.support.queries import app_queries
from widget import assets
from widget.embed import hot_pages
from widget.extensions import db

GZIP = {"Accept-Encoding": "gzip"}


def view(client, site, headers=None, **query):  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "title": "Hello", "parent": BLOG} | query
    return client.get(
        "/embed/thread", query_string=query, headers=GZIP if headers is None else headers
    )


def hot(app) -> hot_pages.HotPages:  # type: ignore[no-untyped-def]
    return app.extensions[hot_pages.EXTENSION]


def test_a_page_seen_before_is_answered_without_the_app(app, client, site, make_comment):
    make_comment(site, body="Kept words")
    first = view(client, site)
    with app_queries(app) as queries:
        again = view(client, site)
    assert queries == []  # not one statement through the app: no Flask view ran
    assert again.status_code == 200
    assert again.data == first.data
    assert again.headers.to_wsgi_list() == first.headers.to_wsgi_list()


def test_a_current_copy_gets_the_apps_304_headers(app, client, site, make_comment):
    make_comment(site)
    etag = view(client, site).headers["ETag"]
    hot(app).close()  # forget it: the next 304 is the app's
    from_app = view(client, site, GZIP | {"If-None-Match": etag})
    assert from_app.status_code == 304
    view(client, site)  # kept again, with its body
    with app_queries(app) as queries:
        from_memory = view(client, site, GZIP | {"If-None-Match": etag})
    assert queries == []
    assert from_memory.status_code == 304
    assert from_memory.data == b""
    assert sorted(from_memory.headers.to_wsgi_list()) == sorted(from_app.headers.to_wsgi_list())


@pytest.mark.parametrize(
    "asked, status",
    [("{etag}", 304), ('"other", {etag}', 304), ("{strong}", 304), ("*", 304),
     ('W/"someone-elses"', 200), ("garbage", 200)],
)  # fmt: skip
def test_if_none_match_as_http_says(client, site, make_comment, asked, status):
    make_comment(site)
    etag = view(client, site).headers["ETag"]
    header = asked.format(etag=etag, strong=etag.removeprefix("W/"))
    assert view(client, site, GZIP | {"If-None-Match": header}).status_code == status


def test_a_304_seen_first_is_kept_for_later_304s(app, client, site, make_comment):
    make_comment(site)
    etag = view(client, site).headers["ETag"]
    hot(app).close()  # as after a restart: readers come back with the page they have
    assert view(client, site, GZIP | {"If-None-Match": etag}).status_code == 304
    with app_queries(app) as queries:
        assert view(client, site, GZIP | {"If-None-Match": etag}).status_code == 304
    assert queries == []
    full = view(client, site)  # one without a copy still gets the page from the app
    assert full.status_code == 200 and b"comment-list" in gzip.decompress(full.data)


def test_gzip_and_identity_are_kept_apart(client, site, make_comment):
    make_comment(site, body="Both ways")
    zipped, plain = view(client, site), view(client, site, {})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in view(client, site, {}).headers
    assert view(client, site).data == zipped.data
    assert b"Both ways" in view(client, site, {}).data == plain.data


def other_app_commits(make_app, action, fresh: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Another worker or server: an app of its own on the same database, its own connections."""
    other = make_app(create_schema=False)
    with other.app_context():
        action()
        db.session.remove()
    if fresh:
        fresh_requests()


def a_comment(key: str, body: str):  # type: ignore[no-untyped-def]
    from widget.comments.services import NewComment, post_comment

    new = NewComment(site=key, url=PAGE, title="Hello", body=body, author_name="Bo",
                     author_email="bo@example.com")  # fmt: skip
    return lambda: post_comment(new)


def fresh_requests() -> None:
    """Requests here share the app fixture's session, whose snapshot would hide others' commits;
    a real request starts with a new one."""
    db.session.remove()


def test_a_comment_through_another_app_shows_at_once(make_app, client, site, make_comment):
    make_comment(site, body="First words")
    before = view(client, site)
    view(client, site)  # from memory now
    other_app_commits(make_app, a_comment(site.key, "Words from elsewhere"))
    after = view(client, site, GZIP | {"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"Words from elsewhere" in gzip.decompress(after.data)


def test_a_setting_changed_elsewhere_shows_at_once(make_app, client, site, make_comment):
    from widget.models import Site

    make_comment(site)
    assert 'class="theme-auto"' in view(client, site, {}).get_data(as_text=True)
    site_id = site.id

    def darken() -> None:
        db.session.get(Site, site_id).theme = "dark"
        db.session.commit()

    other_app_commits(make_app, darken)
    assert 'class="theme-dark"' in view(client, site, {}).get_data(as_text=True)


def test_a_deleted_site_is_a_404_not_a_kept_page(app, client, site, make_comment, database_url):
    view(client, site)
    assert view(client, site).status_code == 200
    engine = create_engine(database_url)  # behind the app's back, as an operator's psql would
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM site_origin"))
        conn.execute(text("UPDATE site SET key = 'renamed'"))
    engine.dispose()
    fresh_requests()
    assert view(client, site).status_code == 404


def test_a_change_while_the_page_renders_is_not_kept(app, client, site, make_comment):
    """The stamp is checked again after the view: a page rendered from versions that moved on
    meanwhile is sent once, and never given again."""
    make_comment(site, body="Before")
    posted: list[bool] = []

    @app.after_request
    def comment_meanwhile(response):  # type: ignore[no-untyped-def]
        if not posted:
            posted.append(True)
            make_comment(site, body="Meanwhile")
        return response

    first = view(client, site, {})
    assert b"Meanwhile" not in first.data
    assert b"Meanwhile" in view(client, site, {}).data


def test_a_page_read_from_an_older_snapshot_is_not_kept(make_app, app, client, site, make_comment):
    make_comment(site, body="First words")
    db.session.scalar(text("SELECT count(*) FROM comment"))  # this session's snapshot begins
    other_app_commits(make_app, a_comment(site.key, "Later words"), fresh=False)
    view(client, site, {})  # on SQLite, rendered from the snapshot: without the later comment
    fresh_requests()
    assert b"Later words" in view(client, site, {}).data


def test_an_answer_that_sets_a_cookie_is_never_kept() -> None:
    calls: list[int] = []

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        calls.append(1)
        hot_pages.stamp(hot_pages.Stamp("k", "u", (1, None, None), assets.build_id()))
        start_response("200 OK", [("ETag", 'W/"x"'), ("Set-Cookie", "session=reader-1")])
        return [b"for reader 1"]

    class Unchanged:  # a database where nothing ever changes
        def hold(self, _page, _seen):  # type: ignore[no-untyped-def]
            return True, None

    middleware = hot_pages.HotPages(app, Unchanged(), 1 << 20)  # type: ignore[arg-type]
    environ = {"PATH_INFO": hot_pages.PATH, "REQUEST_METHOD": "GET", "QUERY_STRING": "a=1"}
    for _ in range(2):
        assert b"".join(middleware(dict(environ), lambda *a: None)) == b"for reader 1"
    assert len(calls) == 2


def test_memory_is_bounded(make_app):
    app = make_app(WIDGET_HOT_CACHE_MB=0.02)  # a few pages of a few kilobytes each
    with app.app_context():
        from widget.sites import create_site

        site = create_site("Blog", [BLOG])
        client = app.test_client()
        for n in range(20):
            assert view(client, site, title=f"Title {n}").status_code == 200
        kept = hot(app)
        assert 0 < kept.size_bytes <= 0.02 * 1024 * 1024
        assert len(kept) < 20


def test_it_can_be_turned_off(make_app):
    app = make_app(WIDGET_HOT_CACHE_MB=0)
    assert hot_pages.EXTENSION not in app.extensions


def test_answers_without_a_body_are_bounded_too(make_app):
    """Copies of one page under ever new query strings, each answered 304: a flood of those
    must not grow the memory either."""
    app = make_app(WIDGET_HOT_CACHE_MB=0.02)
    with app.app_context():
        from widget.sites import create_site

        site = create_site("Blog", [BLOG])
        client = app.test_client()
        etag = view(client, site).headers["ETag"]
        for n in range(200):
            answer = view(client, site, GZIP | {"If-None-Match": etag}, junk=str(n))
            assert answer.status_code == 304
        assert len(hot(app)) < 20


def test_a_lost_database_connection_is_a_miss_then_opened_again(
    app, client, site, make_comment, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a server-side disconnect needs a database server")
    make_comment(site, body="Still here")
    view(client, site)
    view(client, site)  # kept, and checked on its own connection
    pid = hot(app)._versions._connection.info.backend_pid
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()
    answer = view(client, site)  # the check fails: the app answers, never a stale page
    assert answer.status_code == 200 and b"Still here" in gzip.decompress(answer.data)
    with app_queries(app) as queries:
        assert view(client, site).status_code == 200
    assert queries == []  # kept again, on a new connection
