"""The site's threads, one per page URL, and the moderation queue: what an owner sees, in what
order, and that a site with 10,000 threads costs the same few queries as one with three."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import insert

from tests.support.blog import BLOG, PAGE
from tests.support.dashboard import signed_in
from tests.support.queries import count_queries
from widget import owners
from widget.extensions import db
from widget.models import Comment, Status, Thread, utcnow


def titles(page: str) -> list[str]:
    return re.findall(r'class="thread-title"[^>]*>([^<]+)</a>', page)


def test_the_thread_list_shows_title_url_counts_and_last_activity(client, make_site, make_comment):
    site = make_site(moderation="links", link_limit=0)
    make_comment(site, title="Hello")
    make_comment(site)
    make_comment(site, body="see https://spam.example")
    page = signed_in(client, site).text(f"/dashboard/sites/{site.id}/")
    thread = db.session.scalar(db.select(Thread))
    assert titles(page) == ["Hello"]
    assert f'href="/dashboard/sites/{site.id}/threads/{thread.id}"' in page
    assert f'class="thread-url" href="{PAGE}"' in page
    row = page[page.index('class="thread-title"') :]
    assert re.search(r'data-label="Published">2<', row)
    assert re.search(r'data-label="Pending"><span class="count">1<', row)
    assert "just now" in row


def test_threads_sort_by_last_activity_or_by_count(client, site, make_comment):
    for n, (slug, comments) in enumerate([("quiet", 1), ("busy", 3), ("recent", 2)]):
        for _ in range(comments):
            make_comment(site, url=f"{BLOG}/{slug}/", title=slug.capitalize())
        thread = db.session.scalar(db.select(Thread).where(Thread.title == slug.capitalize()))
        thread.last_comment_at = utcnow() - timedelta(days=3 - n)
    db.session.commit()
    dashboard = signed_in(client, site)
    assert titles(dashboard.text(f"/dashboard/sites/{site.id}/")) == ["Recent", "Busy", "Quiet"]
    by_count = dashboard.text(f"/dashboard/sites/{site.id}/?sort=count")
    assert titles(by_count) == ["Busy", "Recent", "Quiet"]


def test_threads_are_searched_by_url_or_title(client, site, make_comment):
    make_comment(site, url=f"{BLOG}/recipes/bread/", title="Sourdough")
    make_comment(site, url=f"{BLOG}/travel/", title="A week in Lyon")
    make_comment(site, url=f"{BLOG}/100%-real/", title="Percent")
    dashboard = signed_in(client, site)
    assert titles(dashboard.text(f"/dashboard/sites/{site.id}/?q=recipes")) == ["Sourdough"]
    assert titles(dashboard.text(f"/dashboard/sites/{site.id}/?q=LYON")) == ["A week in Lyon"]
    # % and _ are text, not wildcards.
    assert titles(dashboard.text(f"/dashboard/sites/{site.id}/?q=%25")) == ["Percent"]
    assert "No thread" in dashboard.text(f"/dashboard/sites/{site.id}/?q=nothing-like-it")


def add_threads(site, n: int) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    rows = [
        {
            "site_id": site.id,
            "url_key": f"{BLOG}/p/{i}/",
            "url": f"{BLOG}/p/{i}/",
            "title": f"Post {i}",
            "published_count": i % 7,
            "last_comment_at": now - timedelta(minutes=i),
            "created_at": now,
        }
        for i in range(n)
    ]
    db.session.execute(insert(Thread), rows)
    db.session.commit()


def test_threads_are_paginated(client, site):
    add_threads(site, 120)
    dashboard = signed_in(client, site)
    first = dashboard.text(f"/dashboard/sites/{site.id}/")
    assert len(titles(first)) == 50
    assert titles(first)[0] == "Post 0"
    assert "Page 1 of 3" in first
    last = dashboard.text(f"/dashboard/sites/{site.id}/?page=3")
    assert titles(last)[-1] == "Post 119" and len(titles(last)) == 20
    assert len(titles(dashboard.text(f"/dashboard/sites/{site.id}/?page=99"))) == 0


def test_10000_threads_list_in_as_few_queries_as_3(app, client, make_site, make_comment):
    small = make_site(name="Small", origins=["https://small.example"])
    big = make_site(name="Big", origins=["https://big.example"])
    add_threads(small, 3)
    add_threads(big, 10_000)
    for site in (small, big):  # something pending on each, so the grouped count has work
        make_comment(site, url=f"{site.origin_list[0]}/x/", title="X")
        db.session.scalar(db.select(Comment).order_by(Comment.id.desc())).status = "pending"
    db.session.commit()
    dashboard = signed_in(client, small)
    owners.add_site(owners.find_owner("owner@example.com"), big)

    def listing(site_id: int, query: str):  # type: ignore[no-untyped-def]
        return lambda: dashboard.get(f"/dashboard/sites/{site_id}/?{query}")

    small_id, big_id = small.id, big.id
    for sort in ("activity", "count"):
        few = count_queries(app, listing(small_id, f"sort={sort}"))
        many = count_queries(app, listing(big_id, f"sort={sort}&page=150"))
        assert many == few, sort
        assert many <= 8
    assert count_queries(app, listing(big_id, "q=Post+99")) <= 8


def test_the_queue_lists_what_is_pending_across_the_site_newest_first(
    client, make_site, make_comment
):
    site = make_site(moderation="all")
    old = make_comment(site, body="Older one", url=f"{BLOG}/a/").comment
    new = make_comment(site, body="Newer one", url=f"{BLOG}/b/").comment
    old.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = signed_in(client, site).text(f"/dashboard/sites/{site.id}/queue")
    assert page.index("Newer one") < page.index("Older one")
    assert f'value="{new.id}"' in page and "reader" in page  # email shown to owners
    assert "2 pending, newest first" in page


def test_the_navigation_counts_whats_pending(client, make_site, make_comment):
    site = make_site(moderation="all")
    for _ in range(3):
        make_comment(site)
    page = signed_in(client, site).text(f"/dashboard/sites/{site.id}/")
    assert re.search(r'Queue <span class="count"[^>]*>3</span>', page)


def test_bulk_approve_publishes_the_ticked_comments(client, make_site, make_comment):
    site = make_site(moderation="all")
    ticked = [make_comment(site).comment for _ in range(3)]
    left = make_comment(site).comment
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/queue",
        data={"action": "approve", "comment": [str(c.id) for c in ticked]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Comment, c.id).status for c in ticked] == ["published"] * 3
    assert db.session.get(Comment, left.id).status == "pending"
    assert db.session.scalar(db.select(Thread)).published_count == 3
    page = dashboard.text(f"/dashboard/sites/{site.id}/queue")
    assert "1 pending" in page


def test_bulk_spam_and_delete(client, make_site, make_comment):
    site = make_site(moderation="all")
    a, b = make_comment(site).comment, make_comment(site).comment
    dashboard = signed_in(client, site)
    dashboard.post(f"/dashboard/sites/{site.id}/queue", data={"action": "spam", "comment": [a.id]})
    dashboard.post(f"/dashboard/sites/{site.id}/queue", data={"action": "delete", "comment": b.id})
    db.session.expire_all()
    assert db.session.get(Comment, a.id).status == Status.SPAM.value
    assert db.session.get(Comment, b.id).status == Status.DELETED.value


def test_bulk_with_nothing_ticked_says_so(client, make_site, make_comment):
    site = make_site(moderation="all")
    make_comment(site)
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/queue", data={"action": "approve"}, follow_redirects=True
    )
    assert "Tick at least one comment" in response.get_data(as_text=True)


def test_approving_from_the_queue_returns_to_the_queue(client, make_site, make_comment):
    site = make_site(moderation="all")
    comment = make_comment(site).comment
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/approve",
        data={"next": f"/dashboard/sites/{site.id}/queue?page=1"},
    )
    assert response.headers["Location"] == f"/dashboard/sites/{site.id}/queue?page=1"
