"""A reply chain hundreds deep: it must neither break the pages that show the thread (the
iframe, its "load more" fragment, the API, the owner's thread page) nor grow deeper than the
site allows when readers keep replying to the last reply."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from sqlalchemy import insert

from tests.support.blog import BLOG, PAGE, guest
from tests.support.dashboard import signed_in
from widget.extensions import db
from widget.models import Comment, Site, Thread, utcnow

DEEP = 2000
FIRST_ID = 1_000_000  # far past what the database hands out, so later posts get their own ids


class Nesting(HTMLParser):
    """How deep comments are nested in the page's markup, and which ones it shows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open = 0
        self.deepest = 0
        self.ids: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "li":
            self.open += 1
            self.deepest = max(self.deepest, self.open)
            found = dict(attrs).get("data-id") or dict(attrs).get("id", "")
            if found.isdigit():
                self.ids.append(int(found))
            elif found.startswith("c") and found[1:].isdigit():
                self.ids.append(int(found[1:]))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "li":
            self.open -= 1


def store_chain(site: Site, depth: int = DEEP, *, older_roots: int = 0) -> list[int]:
    """A chain of replies `depth` deep written straight to the database, as an old database or
    an import could hold it, past any cap; `older_roots` top-level comments come before it."""
    thread = Thread(site_id=site.id, url_key=PAGE, url=PAGE, title="Deep",
                    published_count=depth + older_roots)  # fmt: skip
    db.session.add(thread)
    db.session.flush()
    start = utcnow() - timedelta(days=1)
    rows = []
    for n in range(older_roots):
        when = start - timedelta(seconds=n + 1)
        rows.append(
            {"id": FIRST_ID - 1 - n, "created_at": when, "parent_id": None, "root_id": None}
        )
    ids = [FIRST_ID + n for n in range(depth)]
    for n, cid in enumerate(ids):
        above = (
            {"parent_id": ids[n - 1], "root_id": ids[0]}
            if n
            else {"parent_id": None, "root_id": None}
        )
        rows.append({"id": cid, "created_at": start + timedelta(seconds=n)} | above)
    common = {"thread_id": thread.id, "author_name": "Deep", "body": "b", "status": "published"}
    db.session.execute(
        insert(Comment), [common | row | {"html": f"<p>level {row['id']}</p>"} for row in rows]
    )
    db.session.commit()
    return ids


def embed(client, site, **params):  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "parent": BLOG} | params
    return client.get("/embed/thread", query_string=query)


def test_a_2000_deep_chain_renders_the_iframe_page_with_every_reply(client, site):
    ids = store_chain(site)
    response = embed(client, site)
    assert response.status_code == 200
    page = Nesting(response.get_data(as_text=True))
    assert page.ids[:DEEP] == ids  # every reply, in order
    assert page.deepest <= site.reply_depth  # nested no deeper than the site's cap


def test_a_2000_deep_chain_renders_in_the_load_more_fragment(app, client, site):
    ids = store_chain(site, older_roots=1)
    app.config["WIDGET_THREAD_PAGE_SIZE"] = 1
    first = embed(client, site)
    assert first.status_code == 200 and 'data-page="2"' in first.get_data(as_text=True)
    more = embed(client, site, page=2, fragment=1)
    assert more.status_code == 200
    page = Nesting(more.get_data(as_text=True))
    assert page.ids == ids
    assert page.deepest <= site.reply_depth


def test_a_2000_deep_chain_reads_through_the_api(client, site):
    ids = store_chain(site)
    response = client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE})
    assert response.status_code == 200
    assert [c["id"] for c in response.json["comments"]] == ids


def test_a_2000_deep_chain_renders_the_owners_thread_page(client, site):
    ids = store_chain(site)
    dashboard = signed_in(client, site)
    thread = db.session.scalar(db.select(Thread))
    response = dashboard.get(f"/dashboard/sites/{site.id}/threads/{thread.id}")
    assert response.status_code == 200
    page = Nesting(response.get_data(as_text=True))
    assert [i for i in page.ids if i >= FIRST_ID] == ids
    assert page.deepest <= site.reply_depth + 1  # (the page's own layout adds no comment level)


def reply_to(post_json, site, parent_id: int, **fields):  # type: ignore[no-untyped-def]
    response = post_json(guest(site, parent_id=parent_id, **fields))
    assert response.status_code == 201, response.json
    return response.json


def test_the_cap_defaults_to_five_levels_as_wordpress_does(site):
    assert site.reply_depth == 5


def test_a_reply_beyond_the_cap_attaches_to_the_deepest_allowed_ancestor(make_site, post_json):
    site = make_site(reply_depth=3)  # a comment, a reply, a reply to the reply
    top = post_json(guest(site)).json
    second = reply_to(post_json, site, top["id"])
    third = reply_to(post_json, site, second["id"])
    beyond = reply_to(post_json, site, third["id"])
    assert beyond["parent_id"] == second["id"]  # the answer says which parent it really got
    assert db.session.get(Comment, beyond["id"]).parent_id == second["id"]
    again = reply_to(post_json, site, beyond["id"])
    assert again["parent_id"] == second["id"]


def test_with_one_level_every_reply_is_a_top_level_comment(make_site, post_json):
    site = make_site(reply_depth=1)
    top = post_json(guest(site)).json
    assert reply_to(post_json, site, top["id"])["parent_id"] is None


def test_a_reply_to_the_end_of_a_stored_deep_chain_attaches_within_the_cap(site, post_json):
    ids = store_chain(site, depth=50)
    answer = reply_to(post_json, site, ids[-1])
    assert answer["parent_id"] == ids[site.reply_depth - 2]


def test_the_owner_sets_the_depth_in_the_site_settings(client, site, post_json):
    dashboard = signed_in(client, site)
    page = dashboard.text(f"/dashboard/sites/{site.id}/settings")
    assert 'name="reply_depth"' in page
    form = {"name": site.name, "origins": BLOG, "moderation": "off", "link_limit": "2",
            "guests_allowed": "y", "theme": "auto"}  # fmt: skip
    response = dashboard.post(f"/dashboard/sites/{site.id}/settings",
                              data=form | {"reply_depth": "2"})  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(site)
    assert site.reply_depth == 2
    top = post_json(guest(site)).json
    reply = reply_to(post_json, site, top["id"])
    assert reply_to(post_json, site, reply["id"])["parent_id"] == top["id"]


def test_a_depth_outside_one_to_ten_is_refused(client, site):
    dashboard = signed_in(client, site)
    for depth in ["0", "11", "-3", "deep"]:
        form = {"name": site.name, "origins": BLOG, "moderation": "off", "link_limit": "2",
                "guests_allowed": "y", "theme": "auto", "reply_depth": depth}  # fmt: skip
        response = dashboard.post(f"/dashboard/sites/{site.id}/settings", data=form)
        assert response.status_code == 400, depth
        db.session.refresh(site)
        assert site.reply_depth == 5


def test_an_owners_reply_nests_no_deeper_than_a_readers(client, make_site, post_json):
    site = make_site(reply_depth=2)
    top = post_json(guest(site)).json
    reply = reply_to(post_json, site, top["id"])
    dashboard = signed_in(client, site)
    answer = dashboard.post(f"/dashboard/sites/{site.id}/comments/{reply['id']}/reply",
                            data={"body": "Thanks!"})  # fmt: skip
    assert answer.status_code == 302
    owners = db.session.scalars(db.select(Comment).where(Comment.owner_id.is_not(None))).all()
    assert [c.parent_id for c in owners] == [top["id"]]
