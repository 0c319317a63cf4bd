"""A thread of 5,000 comments: pages of top-level comments with all their replies."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from tests.support.blog import BLOG, PAGE
from tests.support.queries import count_queries
from widget.extensions import db
from widget.models import Comment, Thread, utcnow

ROOTS, REPLIES = 1000, 4  # each top-level comment has a chain of four replies: 5,000 in all


class Depths(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[tuple[int, int]] = []  # (depth, comment id)
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "li" and "comment" in cls.split() and attrs.get("data-id"):
            depth = int(next(c for c in cls.split() if c.startswith("depth-"))[6:])
            self.ids.append((depth, int(attrs["data-id"])))


@pytest.fixture
def big(site):  # type: ignore[no-untyped-def]
    thread = Thread(site_id=site.id, url_key=PAGE, url=PAGE, title="Big", published_count=5000)
    db.session.add(thread)
    db.session.flush()
    start = utcnow() - timedelta(days=30)

    def row(n: int, **kw) -> Comment:  # type: ignore[no-untyped-def]
        when = start + timedelta(seconds=n)
        return Comment(thread_id=thread.id, author_name=f"R{n}", body="b", html=f"<p>c{n}</p>",
                       status="published", created_at=when, **kw)  # fmt: skip

    roots = [row(n) for n in range(ROOTS)]
    db.session.add_all(roots)
    db.session.flush()
    parents = roots
    for level in range(REPLIES):
        replies = [row(ROOTS * (level + 1) + i, parent_id=p.id, root_id=r.id)
                   for i, (p, r) in enumerate(zip(parents, roots, strict=True))]  # fmt: skip
        db.session.add_all(replies)
        db.session.flush()
        parents = replies
    db.session.commit()
    return roots


def view(client, site, **params):  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "parent": BLOG} | params
    return client.get("/embed/thread", query_string=query)


def test_the_first_page_shows_fifty_top_level_comments_with_all_their_replies(client, site, big):
    found = Depths(view(client, site).get_data(as_text=True)).ids
    top = [cid for depth, cid in found if depth == 0]
    assert top == [c.id for c in big[:50]]  # oldest first
    assert len(found) == 50 * (1 + REPLIES)
    assert {depth for depth, _ in found} == {0, 1, 2, 3, 4}


def test_newest_first(client, site, big):
    found = Depths(view(client, site, sort="newest").get_data(as_text=True)).ids
    assert [cid for depth, cid in found if depth == 0] == [c.id for c in big[::-1][:50]]


def test_load_more_brings_the_next_page_and_the_last_has_no_more(client, site, big):
    html = view(client, site).get_data(as_text=True)
    assert 'data-page="2"' in html
    more = view(client, site, page=2, fragment=1).get_data(as_text=True)
    assert "<html" not in more
    assert [c for d, c in Depths(more).ids if d == 0] == [c.id for c in big[50:100]]
    last = view(client, site, page=ROOTS // 50, fragment=1).get_data(as_text=True)
    assert "load-more" not in last
    assert "5,000 comments" in html


def test_the_first_page_of_5000_costs_the_queries_of_one_comment(app, client, site, big, make_site,
                                                                  make_comment):  # fmt: skip
    small = make_site(origins=["https://small.example"], name="Small")
    make_comment(small, url="https://small.example/p/")
    q_small = {"site": small.key, "url": "https://small.example/p/"}
    q_big = {"site": site.key, "url": PAGE}
    db.session.expire_all()
    one = count_queries(app, lambda: client.get("/embed/thread", query_string=q_small))
    many = count_queries(app, lambda: client.get("/embed/thread", query_string=q_big))
    assert one == many


def test_replies_posted_through_the_api_know_their_root(site, make_comment):
    top = make_comment(site).comment
    reply = make_comment(site, parent_id=top.id).comment
    deeper = make_comment(site, parent_id=reply.id).comment
    assert (top.root_id, reply.root_id, deeper.root_id) == (None, top.id, top.id)


def test_no_view_reads_more_comments_than_it_shows(client, site, big):
    """A page of 5,000 comments reads its fifty top-level comments (and one more, to know a
    next page exists) with their replies: never the rest of the thread."""
    loaded: list[int] = []

    def count(target: Comment, _context: object) -> None:
        loaded.append(target.id)

    key = SimpleNamespace(key=site.key)  # the site row itself leaves the session below
    event.listen(Comment, "load", count)
    try:
        db.session.expunge_all()  # as a request's own session starts: with no comment in it
        first = Depths(view(client, key).get_data(as_text=True)).ids
        loaded_first, loaded[:] = len(loaded), []
        db.session.expunge_all()
        later = Depths(view(client, key, page=7, fragment=1).get_data(as_text=True)).ids
    finally:
        event.remove(Comment, "load", count)
    assert len(first) == len(later) == 50 * (1 + REPLIES)
    assert loaded_first <= len(first) + 1
    assert len(loaded) <= len(later) + 1
