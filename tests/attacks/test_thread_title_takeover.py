"""Readers renaming a thread: through the `title` of a later post, or `?title=` on the iframe's
URL (which a cached page would then show to everyone). A thread's title is taken once, when
its first comment creates it; after that only the site's owner changes it, in the dashboard."""

from __future__ import annotations

from tests.support.blog import BLOG, PAGE, guest
from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget.extensions import db
from widget.models import Thread


def embed(client, site, **params):  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "parent": BLOG} | params
    return client.get("/embed/thread", query_string=query)


def api_title(client, site) -> str:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE})
    return answer.json["thread"]["title"]


def stored_thread() -> Thread:
    thread = db.session.scalar(db.select(Thread))
    db.session.refresh(thread)
    return thread


def test_a_second_reader_cannot_rename_the_thread(client, site, post_json):
    assert post_json(guest(site, title="Hello")).status_code == 201
    assert post_json(guest(site, title="Buy pills at evil.example")).status_code == 201
    assert stored_thread().title == "Hello"
    assert api_title(client, site) == "Hello"
    html = embed(client, site, title="Hello").get_data(as_text=True)
    assert "evil.example" not in html and "2 comments on “Hello”" in html


def test_title_in_the_iframe_url_does_not_rename_an_existing_thread(client, site, post_json):
    post_json(guest(site, title="Hello"))
    html = embed(client, site, title="Pwned").get_data(as_text=True)
    assert "Pwned" not in html
    assert "1 comment on “Hello”" in html
    assert stored_thread().title == "Hello"


def test_a_readers_title_cannot_poison_the_cached_page_of_a_thread_without_one(
    client, site, post_json
):
    post_json(guest(site, title=""))  # a page that had no title when it was first commented on
    attacker = embed(client, site, title="Pwned")
    assert "Pwned" not in attacker.get_data(as_text=True)
    # The next reader's page, from the cache or not, shows the thread as stored.
    reader = embed(client, site, title="Pwned")
    assert "Pwned" not in reader.get_data(as_text=True)
    assert embed(client, site).headers["ETag"] == attacker.headers["ETag"]


def test_before_any_comment_the_page_shows_its_own_claimed_title(client, site):
    html = embed(client, site, title="My page").get_data(as_text=True)
    assert "No comments yet on “My page”" in html
    assert db.session.scalar(db.select(Thread)) is None


def rename(dashboard, site, thread, title):  # type: ignore[no-untyped-def]
    return dashboard.post(f"/dashboard/sites/{site.id}/threads/{thread.id}/title",
                          data={"title": title})  # fmt: skip


def test_the_owner_renames_the_thread_from_the_dashboard(client, site, post_json):
    post_json(guest(site, title="Hello"))
    thread = stored_thread()
    dashboard = signed_in(client, site)
    page = dashboard.text(f"/dashboard/sites/{site.id}/threads/{thread.id}")
    assert 'name="title"' in page
    response = rename(dashboard, site, thread, "  A better   title ")
    assert response.status_code == 302
    assert stored_thread().title == "A better title"
    assert "1 comment on “A better title”" in embed(client, site).get_data(as_text=True)
    assert api_title(client, site) == "A better title"


def test_renaming_needs_the_csrf_token(client, site, post_json):
    post_json(guest(site, title="Hello"))
    thread = stored_thread()
    signed_in(client, site)
    response = client.post(f"/dashboard/sites/{site.id}/threads/{thread.id}/title",
                           data={"title": "Forged"})  # fmt: skip
    assert response.status_code == 400
    assert stored_thread().title == "Hello"


def test_another_sites_owner_cannot_rename_the_thread(client, make_site, post_json):
    site = make_site()
    other = make_site(origins=["https://other.example"], name="Other")
    post_json(guest(site, title="Hello"))
    thread = stored_thread()
    make_owner("mallory@example.com", sites=[other])
    dashboard = Dashboard(client)
    dashboard.sign_in("mallory@example.com")
    assert rename(dashboard, other, thread, "Mine now").status_code == 404
    assert rename(dashboard, site, thread, "Mine now").status_code == 404
    assert stored_thread().title == "Hello"


def test_signed_out_nobody_renames_a_thread(client, site, post_json):
    post_json(guest(site, title="Hello"))
    thread = stored_thread()
    response = client.post(f"/dashboard/sites/{site.id}/threads/{thread.id}/title",
                           data={"title": "Anon"})  # fmt: skip
    assert response.status_code in (302, 400)
    assert stored_thread().title == "Hello"
