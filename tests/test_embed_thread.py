"""GET /embed/thread: the server-rendered thread the iframe shows before any script runs."""

from html.parser import HTMLParser

import pytest

from tests.support.blog import BLOG, PAGE
from tests.support.queries import count_queries
from widget.extensions import db
from widget.models import Comment, Status


def get_thread(client, site, /, **params):  # type: ignore[no-untyped-def]
    query = {"site": site.key, "url": PAGE, "title": "Hello", "parent": BLOG} | params
    return client.get("/embed/thread", query_string=query)


class Tree(HTMLParser):
    """Comment ids with the id of the comment they are nested in."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.parents: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag != "li":
            return
        attrs = dict(attrs)
        cid = attrs.get("data-id") if "comment" in (attrs.get("class") or "") else None
        if cid:
            enclosing = next((c for c in reversed(self.stack) if c), None)
            self.parents[cid] = enclosing
        self.stack.append(cid)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "li" and self.stack:
            self.stack.pop()


def test_thread_shows_comments_nested_with_a_count(client, site, make_comment):
    first = make_comment(site, author_name="Ann").comment
    reply = make_comment(site, author_name="Bob", parent_id=first.id).comment
    second = make_comment(site, author_name="Cy").comment
    response = get_thread(client, site)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 comments on “Hello”" in html
    assert Tree(html).parents == {
        str(first.id): None,
        str(reply.id): str(first.id),
        str(second.id): None,
    }
    assert html.index("Ann") < html.index("Bob") < html.index("Cy")


def test_one_comment_heading_and_empty_heading(client, site, make_comment):
    assert "No comments yet on “Hello”" in get_thread(client, site).get_data(as_text=True)
    make_comment(site)
    assert "1 comment on “Hello”" in get_thread(client, site).get_data(as_text=True)


def test_each_comment_has_a_permalink_and_exact_time(client, site, make_comment):
    comment = make_comment(site).comment
    html = get_thread(client, site).get_data(as_text=True)
    assert f'href="{PAGE}#comment-{comment.id}"' in html
    assert 'datetime="20' in html and 'title="' in html


def test_the_leave_a_reply_form_asks_for_name_email_and_website(client, site):
    html = get_thread(client, site).get_data(as_text=True)
    for field in ('name="body"', 'name="author_name"', 'name="author_email"', 'name="author_url"'):
        assert field in html
    assert "Leave a Reply" in html
    assert "Your email address will not be published" in html


def test_hostile_names_titles_and_websites_are_escaped(client, site, make_comment):
    posted = make_comment(
        site,
        author_name='<script>alert("n")</script>',
        title='</title><script>alert("t")</script>',
    )
    # Posting refuses such a website now; the page must stay safe for one stored before that
    # (or brought in by an import), so it goes straight into the database.
    db.session.get(
        Comment, posted.comment.id
    ).author_url = 'https://x.example/"><script>alert(1)</script>'
    db.session.commit()
    html = get_thread(client, site, title='"><script>alert(2)</script>').get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_deleted_comment_with_replies_leaves_a_placeholder(client, site, make_comment):
    parent = make_comment(site, body="Original words").comment
    make_comment(site, parent_id=parent.id, body="A reply")
    lonely = make_comment(site, body="Deleted alone").comment
    for comment in (parent, lonely):
        db.session.get(Comment, comment.id).status = Status.DELETED.value
    db.session.commit()
    html = get_thread(client, site).get_data(as_text=True)
    assert "This comment was deleted." in html
    assert "A reply" in html
    assert "Original words" not in html
    assert "Deleted alone" not in html


def test_iframe_may_be_framed_only_by_the_sites_origins(client, make_site):
    site = make_site(origins=[BLOG, "https://www.blog.example.com"])
    csp = get_thread(client, site).headers["Content-Security-Policy"]
    assert "frame-ancestors https://blog.example.com https://www.blog.example.com" in csp
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_the_page_names_the_origins_thread_js_may_talk_to(client, make_site):
    # thread.js posts messages only to a `parent` among these (tests/e2e/test_messages.py).
    site = make_site(origins=[BLOG, "https://www.blog.example.com"])
    html = get_thread(client, site, parent="https://evil.example").get_data(as_text=True)
    assert f'data-origins="{BLOG} https://www.blog.example.com"' in html
    assert "evil.example" not in html


@pytest.mark.parametrize("theme", ["light", "dark", "auto"])
def test_theme_is_applied(client, site, theme):
    assert f'class="theme-{theme}"' in get_thread(client, site, theme=theme).get_data(as_text=True)


def test_unknown_theme_falls_back_to_auto(client, site):
    html = get_thread(client, site, theme='"><x').get_data(as_text=True)
    assert 'class="theme-auto"' in html


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"site": "nope"}, 404),
        ({"url": "https://evil.example/post/"}, 400),
        ({"url": "javascript:alert(1)"}, 400),
        ({"url": ""}, 400),
    ],
)
def test_bad_thread_requests_get_a_readable_error_page(client, site, params, status):
    response = get_thread(client, site, **params)
    assert response.status_code == status
    assert "Comments cannot be shown here" in response.get_data(as_text=True)


def test_thread_is_read_in_the_same_number_of_queries_for_1_and_200_comments(
    app, client, make_site, make_comment
):
    small = make_site(origins=["https://small.example"], name="Small")
    big = make_site(origins=["https://big.example"], name="Big")
    make_comment(small, url="https://small.example/p/")
    parent = None
    for n in range(200):
        posted = make_comment(big, url="https://big.example/p/", parent_id=parent)
        parent = posted.comment.id if n % 3 == 0 else None
    db.session.expire_all()

    def view(site, url):  # type: ignore[no-untyped-def]
        query = {"site": site.key, "url": url}
        return lambda: client.get("/embed/thread", query_string=query)

    one = count_queries(app, view(small, "https://small.example/p/"))
    many = count_queries(app, view(big, "https://big.example/p/"))
    assert one == many
    assert many <= 5  # site, its origins, thread, a page of top-level comments, their replies
