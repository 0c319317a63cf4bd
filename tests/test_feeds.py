"""Atom feeds of a thread and of a site: valid, newest first, published comments only, no
emails, escaped as text, validated with ETag / Last-Modified, and linked where readers and
owners look."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta

import feedparser  # type: ignore[import-untyped]

from tests.support.blog import BLOG, PAGE
from tests.support.dashboard import signed_in
from tests.support.queries import count_queries
from widget.comments import moderation
from widget.comments.services import NewComment, post_comment
from widget.embed.page_cache import pages
from widget.extensions import db
from widget.models import Comment, Identity, Site, Thread, User

ATOM = "application/atom+xml; charset=utf-8"


def thread_feed(client, site, url=PAGE, **headers):  # type: ignore[no-untyped-def]
    return client.get(f"/feeds/{site.key}/thread.atom", query_string={"url": url},
                      headers=headers)  # fmt: skip


def site_feed(client, site, **headers):  # type: ignore[no-untyped-def]
    return client.get(f"/feeds/{site.key}.atom", headers=headers)


def parsed(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == ATOM
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def signed_in_comment(site: Site, name: str, url: str = PAGE) -> tuple[User, Comment]:
    """A comment by a reader signed in with GitHub, whose email the provider gave us."""
    user = User(name=name, profile_url=f"https://github.com/{name.lower()}")
    identity = Identity(user=user, provider="github", subject=name, email=f"{name}@example.net")
    db.session.add_all([user, identity])
    db.session.commit()
    new = NewComment(site=site.key, url=url, title="Hello", body=f"Signed words of {name}",
                     author_name="", author_email="")  # fmt: skip
    return user, post_comment(new, viewer=identity).comment


def act(comment: Comment, action: str) -> None:
    moderation.moderate(db.session.get(Comment, comment.id), action)
    db.session.commit()


def test_thread_feed_is_valid_atom_with_the_newest_comment_first(client, site, make_comment):
    first = make_comment(site, author_name="Ann", author_url="https://ann.example/").comment
    second = make_comment(site, author_name="Bob").comment
    feed = parsed(thread_feed(client, site))
    assert feed.feed.title == "Comments on “Hello”"
    assert feed.feed.link == PAGE
    assert [e.link for e in feed.entries] == [f"{PAGE}#comment-{c.id}" for c in (second, first)]
    assert [e.author for e in feed.entries] == ["Bob", "Ann"]
    assert feed.entries[1].author_detail.href == "https://ann.example/"
    assert feed.entries[0].title == "Bob on “Hello”"
    assert feed.entries[0].id.startswith("tag:") and feed.entries[0].id.endswith(
        f"/comment/{second.id}"
    )
    assert feed.entries[0].content[0].value == second.html


def test_site_feed_has_comments_of_every_thread_newest_first(client, site, make_comment):
    made = [
        make_comment(site, url=f"{BLOG}/{slug}/", title=slug.capitalize()).comment
        for slug in ("one", "two", "three")
    ]
    made[1].created_at = made[1].created_at + timedelta(minutes=5)  # the newest, though not last
    db.session.commit()
    feed = parsed(site_feed(client, site))
    assert feed.feed.title == "Comments on Blog"
    assert [e.link for e in feed.entries] == [
        f"{BLOG}/two/#comment-{made[1].id}",
        f"{BLOG}/three/#comment-{made[2].id}",
        f"{BLOG}/one/#comment-{made[0].id}",
    ]
    assert feed.entries[0].title.endswith("on “Two”")


def test_site_feed_holds_the_newest_fifty(client, site, make_comment):
    made = [make_comment(site).comment for _ in range(52)]
    feed = parsed(site_feed(client, site))
    assert len(feed.entries) == 50
    assert feed.entries[-1].link.endswith(f"#comment-{made[2].id}")


def test_only_published_comments_are_in_the_feeds(client, make_site, make_comment):
    site = make_site(moderation="all")
    kept, pending, spam, deleted = (make_comment(site).comment for _ in range(4))
    for comment, action in ((kept, "approve"), (spam, "spam"), (deleted, "approve")):
        act(comment, action)
    act(deleted, "delete")
    for response in (thread_feed(client, site), site_feed(client, site)):
        feed = parsed(response)
        assert [e.link for e in feed.entries] == [f"{PAGE}#comment-{kept.id}"]
        body = response.get_data(as_text=True)
        for hidden in (pending, spam, deleted):
            assert hidden.html not in body


def test_signed_in_authors_are_shown_as_they_are_now(client, site):
    user, _ = signed_in_comment(site, "Octo")
    before = [get(client, site) for get in (thread_feed, site_feed)]
    assert [parsed(r).entries[0].author for r in before] == ["Octo", "Octo"]
    assert parsed(before[0]).entries[0].author_detail.href == "https://github.com/octo"
    user.name = "Octavia"
    db.session.commit()
    for get, old in zip((thread_feed, site_feed), before, strict=True):
        response = get(client, site, **{"If-None-Match": old.headers["ETag"]})
        assert parsed(response).entries[0].author == "Octavia"


def test_no_email_is_anywhere_in_a_feed(client, site, make_comment):
    make_comment(site, author_email="secret.person@example.org", author_url="https://a.example/")
    signed_in_comment(site, "Octo")
    for response in (thread_feed(client, site), site_feed(client, site)):
        parsed(response)
        assert b"secret.person" not in response.get_data()
        assert b"@" not in response.get_data()  # nor the owner's, nor anyone's


def test_html_and_text_are_escaped_and_read_back_as_written(client, site, make_comment):
    posted = make_comment(
        site, title="Tom & <Jerry>", author_name="<b>Eve</b> & co",
        body="<script>alert(1)</script> **bold** & 1 < 2 ]]>",
    ).comment  # fmt: skip
    response = thread_feed(client, site)
    raw = response.get_data(as_text=True)
    assert "<script" not in raw and "<b>" not in raw and "<strong>" not in raw
    entry = parsed(response).entries[0]
    assert entry.content[0].type == "text/html"
    assert entry.content[0].value == posted.html  # the sanitised HTML, as it was written
    assert "<strong>bold</strong>" in posted.html and "<script" not in posted.html
    assert entry.author == "<b>Eve</b> & co"
    assert entry.title == "<b>Eve</b> & co on “Tom & <Jerry>”"


def test_etag_holds_until_a_comment_is_posted_or_approved(client, make_site, make_comment):
    site = make_site(moderation="all")
    held = make_comment(site).comment
    act(make_comment(site).comment, "approve")
    for get in (thread_feed, site_feed):
        first = get(client, site)
        etag = first.headers["ETag"]
        assert get(client, site, **{"If-None-Match": etag}).status_code == 304
        assert get(client, site).get_data() == first.get_data()  # from the cache, the same
    etags = [get(client, site).headers["ETag"] for get in (thread_feed, site_feed)]
    act(held, "approve")
    after_approval = [get(client, site) for get in (thread_feed, site_feed)]
    for response, old in zip(after_approval, etags, strict=True):
        assert response.headers["ETag"] != old
        assert len(parsed(response).entries) == 2
    etags = [r.headers["ETag"] for r in after_approval]
    make_comment(site)  # held: readers see nothing new, yet a thread page's version moves
    act(db.session.scalars(db.select(Comment).order_by(Comment.id.desc())).first(), "approve")
    for get, old in zip((thread_feed, site_feed), etags, strict=True):
        response = get(client, site, **{"If-None-Match": old})
        assert response.status_code == 200
        assert len(parsed(response).entries) == 3


def test_if_modified_since_the_newest_comment_is_a_304(client, site, make_comment):
    make_comment(site)
    for get in (thread_feed, site_feed):
        last_modified = get(client, site).headers["Last-Modified"]
        assert get(client, site, **{"If-Modified-Since": last_modified}).status_code == 304
        earlier = "Thu, 01 Jan 2015 00:00:00 GMT"
        assert get(client, site, **{"If-Modified-Since": earlier}).status_code == 200


def test_feeds_are_cached_like_thread_pages(client, site, make_comment):
    make_comment(site)
    plain = thread_feed(client, site)
    zipped = thread_feed(client, site, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    for response in (plain, zipped):
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Vary"] == "Accept-Encoding"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    kept = pages().get(plain.headers["ETag"].removeprefix('W/"').removesuffix('"'))
    assert kept is not None and gzip.decompress(kept) == plain.get_data()


def test_a_feed_costs_two_queries_however_many_comments(app, client, site, make_comment):
    for n in range(30):
        make_comment(site, url=f"{BLOG}/{n % 6}/")
        signed_in_comment(site, f"Reader{n}", url=f"{BLOG}/{n % 6}/")
    url = f"{BLOG}/1/"
    assert count_queries(app, lambda: parsed(site_feed(client, site))) == 2
    assert count_queries(app, lambda: thread_feed(client, site, url)) == 2
    etag = thread_feed(client, site, url).headers["ETag"]
    current = lambda: thread_feed(client, site, url, **{"If-None-Match": etag})  # noqa: E731
    assert count_queries(app, current) == 1


def test_unknown_site_thread_or_foreign_page_is_a_404_that_says_so(client, site, make_comment):
    make_comment(site)
    unknown = Site(key="nosuchkey")
    answers = [
        ("No site has that key.", site_feed(client, unknown)),
        ("No site has that key.", thread_feed(client, unknown)),
        ("That page has no comments yet", thread_feed(client, site, f"{BLOG}/quiet/")),
        (
            "not on one of this site's origins",
            thread_feed(client, site, "https://elsewhere.example/"),
        ),
    ]
    for message, response in answers:
        assert response.status_code == 404
        assert message.strip() in response.get_data(as_text=True)


def test_iframe_page_links_its_thread_and_site_feeds(client, site, make_comment):
    query = {"site": site.key, "url": PAGE, "title": "Hello"}
    before = client.get("/embed/thread", query_string=query).get_data(as_text=True)
    head = before[: before.index("</head>")]
    assert f'href="/feeds/{site.key}.atom"' in head
    assert "thread.atom" not in head  # no thread yet: its feed would be a 404
    make_comment(site)
    page = client.get("/embed/thread", query_string=query).get_data(as_text=True)
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"',
                       page[: page.index("</head>")])  # fmt: skip
    assert len(links) == 2
    for link in links:
        parsed(client.get(link.replace("&amp;", "&")))


def test_dashboard_links_the_site_and_thread_feeds(client, site, make_comment):
    make_comment(site)
    dashboard = signed_in(client, site)
    threads = dashboard.text(f"/dashboard/sites/{site.id}/")
    assert f'href="/feeds/{site.key}.atom"' in threads
    thread = db.session.scalar(db.select(Thread))
    page = dashboard.text(f"/dashboard/sites/{site.id}/threads/{thread.id}")
    link = re.search(r'class="feed-link" href="([^"]+)"', page)
    assert link
    assert len(parsed(client.get(link[1].replace("&amp;", "&"))).entries) == 1


def test_a_page_url_names_its_feed_as_it_names_its_thread(client, site, make_comment):
    posted = make_comment(site).comment
    feed = parsed(thread_feed(client, site, f"{PAGE}?utm_source=x#comments"))
    assert [e.link for e in feed.entries] == [f"{PAGE}#comment-{posted.id}"]
    for url in ("", "not a url"):
        response = thread_feed(client, site, url)
        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("text/plain")
