"""What an owner does to comments, from the dashboard and the command line, and what readers
then see in the widget: at once, with the thread's count right."""

from __future__ import annotations

import json

import pytest

from tests.support.blog import BLOG, PAGE
from tests.support.dashboard import signed_in
from widget import owners
from widget.extensions import db
from widget.models import Comment, Status, Thread


def widget_html(client, site) -> str:  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "title": "Hello", "parent": BLOG}
    return client.get("/embed/thread", query_string=query).get_data(as_text=True)


def thread_of(comment: Comment) -> Thread:
    thread = db.session.get(Thread, comment.thread_id)
    db.session.refresh(thread)
    return thread


def act(dashboard, site, comment, action):  # type: ignore[no-untyped-def]
    return dashboard.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/{action}")


@pytest.fixture
def held(make_site, make_comment):  # type: ignore[no-untyped-def]
    """A site that holds every comment, and one held comment on it."""
    site = make_site(moderation="all")
    return site, make_comment(site, body="Held until the owner says yes").comment


def test_approving_shows_the_comment_in_the_widget_at_once(client, held):
    site, comment = held
    dashboard = signed_in(client, site)
    assert "Held until the owner says yes" not in widget_html(client, site)
    response = act(dashboard, site, comment, "approve")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/threads/{comment.thread_id}#c{comment.id}")
    html = widget_html(client, site)
    assert "Held until the owner says yes" in html
    assert "1 comment on “Hello”" in html
    assert thread_of(comment).published_count == 1
    assert thread_of(comment).last_comment_at is not None


def test_deleting_hides_the_comment_and_lowers_the_count(client, site, make_comment):
    comment = make_comment(site, body="Regrettable").comment
    make_comment(site, body="Fine")
    act(signed_in(client, site), site, comment, "delete")
    html = widget_html(client, site)
    assert "Regrettable" not in html
    assert "1 comment on “Hello”" in html
    assert db.session.get(Comment, comment.id).status == Status.DELETED.value


def test_deleting_a_comment_with_replies_keeps_a_placeholder_for_them(client, site, make_comment):
    parent = make_comment(site, body="Parent text").comment
    make_comment(site, body="A reply", parent_id=parent.id)
    act(signed_in(client, site), site, parent, "delete")
    html = widget_html(client, site)
    assert "Parent text" not in html
    assert "This comment was deleted." in html
    assert "A reply" in html


def test_restoring_a_deleted_comment_publishes_it_again(client, site, make_comment):
    comment = make_comment(site, body="Back again").comment
    dashboard = signed_in(client, site)
    act(dashboard, site, comment, "delete")
    act(dashboard, site, comment, "restore")
    assert "Back again" in widget_html(client, site)
    assert thread_of(comment).published_count == 1


def test_marking_spam_hides_it_and_keeps_its_replies_under_a_placeholder(
    client, site, make_comment
):
    spam = make_comment(site, body="Buy now").comment
    make_comment(site, body="Reply to spam", parent_id=spam.id)
    act(signed_in(client, site), site, spam, "spam")
    html = widget_html(client, site)
    assert "Buy now" not in html and "This comment was removed." in html
    assert "Reply to spam" in html  # counted, so shown (tests/attacks/)
    assert thread_of(spam).published_count == 1


def test_the_count_is_recounted_from_the_comments_not_adjusted(client, site, make_comment):
    first = make_comment(site).comment
    make_comment(site)
    thread = thread_of(first)
    thread.published_count = 57  # drifted, somehow
    db.session.commit()
    dashboard = signed_in(client, site)
    act(dashboard, site, first, "approve")  # a no-op on a published comment
    assert thread_of(first).published_count == 2


def test_last_comment_time_follows_the_newest_published_comment(client, site, make_comment):
    older = make_comment(site).comment
    newer = make_comment(site).comment
    act(signed_in(client, site), site, newer, "delete")
    assert thread_of(older).last_comment_at == db.session.get(Comment, older.id).created_at


def test_an_owner_edits_a_comment_and_it_is_rendered_again(client, site, make_comment):
    comment = make_comment(site, body="teh typo").comment
    dashboard = signed_in(client, site)
    form = dashboard.get(f"/dashboard/sites/{site.id}/comments/{comment.id}/edit")
    assert "teh typo" in form.get_data(as_text=True)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/edit",
        data={"body": "the **fixed** text <script>x</script>"},
    )
    assert response.status_code == 302
    edited = db.session.get(Comment, comment.id)
    assert edited.html == "<p>the <strong>fixed</strong> text &lt;script&gt;x&lt;/script&gt;</p>"
    assert edited.edited_at is not None
    assert "the <strong>fixed</strong> text" in widget_html(client, site)


def test_an_empty_edit_is_refused_and_changes_nothing(client, site, make_comment):
    comment = make_comment(site, body="Keep me").comment
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/edit", data={"body": "   "}
    )
    assert response.status_code == 400
    assert db.session.get(Comment, comment.id).body == "Keep me"


def test_an_owner_reply_is_published_with_an_owner_badge(client, site, make_comment):
    comment = make_comment(site, body="A question?").comment
    dashboard = signed_in(client, site)
    owners.find_owner("owner@example.com").name = "Ann the owner"
    db.session.commit()
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/reply", data={"body": "An answer."}
    )
    assert response.status_code == 302
    html = widget_html(client, site)
    assert "An answer." in html
    assert "Ann the owner" in html
    assert html.count('class="provider-mark owner-badge"') == 1
    assert thread_of(comment).published_count == 2


def test_replying_to_a_held_comment_approves_it(client, held):
    site, comment = held
    dashboard = signed_in(client, site)
    dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/reply", data={"body": "Welcome!"}
    )
    html = widget_html(client, site)
    assert "Held until the owner says yes" in html and "Welcome!" in html


def test_replying_to_spam_is_refused(client, site, make_comment):
    comment = make_comment(site).comment
    dashboard = signed_in(client, site)
    act(dashboard, site, comment, "spam")
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/reply", data={"body": "Hi"})
    assert db.session.query(Comment).count() == 1


def test_an_unknown_action_is_a_404(client, site, make_comment):
    comment = make_comment(site).comment
    assert act(signed_in(client, site), site, comment, "publish-everything").status_code == 404


def test_actions_need_the_csrf_token(client, held):
    site, comment = held
    signed_in(client, site)
    response = client.post(f"/dashboard/sites/{site.id}/comments/{comment.id}/approve")
    assert response.status_code == 400
    assert db.session.get(Comment, comment.id).status == Status.PENDING.value


# --- the thread page ----------------------------------------------------------------------


def test_the_thread_page_shows_every_comment_as_a_tree_with_status_and_email(
    client, make_site, make_comment
):
    site = make_site(moderation="first-time")
    first = make_comment(site, author_name="Ann", author_email="ann@example.com").comment
    act(dashboard := signed_in(client, site), site, first, "approve")
    reply = make_comment(site, author_name="Bob", parent_id=first.id).comment
    spam = make_comment(site, author_name="Cy", body="Spam here").comment
    act(dashboard, site, spam, "spam")
    page = dashboard.text(f"/dashboard/sites/{site.id}/threads/{first.thread_id}")
    assert "ann@example.com" in page
    assert (
        page.index(f'id="c{first.id}"')
        < page.index('class="replies"')
        < page.index(f'id="c{reply.id}"')
    )
    assert "Pending" in page and "Spam" in page and "Spam here" in page
    assert "1 published" in page.replace("<strong>", "").replace("</strong>", "")


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def cli(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_cli_approves_a_comment(cli, client, held):
    site, comment = held
    result = cli("comments", "approve", str(comment.id))
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    assert "Held until the owner says yes" in widget_html(client, site)


def test_cli_deletes_a_comment(cli, client, site, make_comment):
    comment = make_comment(site, body="Gone soon").comment
    assert cli("comments", "delete", str(comment.id)).exit_code == 0
    assert "Gone soon" not in widget_html(client, site)


def test_cli_refuses_an_unknown_comment(cli):
    result = cli("comments", "approve", "999")
    assert result.exit_code != 0
    assert "No comment has id 999" in result.output


def test_cli_lists_a_sites_threads_with_counts(cli, make_site, make_comment):
    site = make_site(moderation="links", link_limit=0)
    make_comment(site, title="Hello")
    make_comment(site, body="https://a.example")
    make_comment(site, url=f"{BLOG}/other/", title="Other")
    rows = json.loads(cli("threads", "list", "--site", site.key, "--json").output)
    assert {(r["url"], r["title"], r["published"], r["pending"]) for r in rows} == {
        (PAGE, "Hello", 1, 1),
        (f"{BLOG}/other/", "Other", 1, 0),
    }
    text = cli("threads", "list", "--site", site.key).output
    assert PAGE in text and "1 pending" in text
