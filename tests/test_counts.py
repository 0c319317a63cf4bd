"""GET /api/v1/counts: a front page's fifty posts in one request and one query."""

from tests.support.blog import BLOG
from tests.support.queries import count_queries
from widget.comments.formatting import count_label


def counts(client, site, urls, **headers):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/counts", query_string={"site": site.key, "url": urls},
                      headers=headers)  # fmt: skip


def test_counts_for_many_pages_keyed_as_asked(client, site, make_comment):
    for _ in range(3):
        make_comment(site, url=f"{BLOG}/a/")
    make_comment(site, url=f"{BLOG}/b/")
    asked = [f"{BLOG}/a/#comments", f"{BLOG}/b/?utm_source=x", f"{BLOG}/never/", "not a url"]
    body = counts(client, site, asked).json
    assert body["counts"] == {asked[0]: 3, asked[1]: 1, asked[2]: 0, asked[3]: 0}


def test_counts_come_in_the_services_words_which_the_loader_shows(client, site, make_comment):
    for _ in range(2):
        make_comment(site, url=f"{BLOG}/a/")
    make_comment(site, url=f"{BLOG}/b/")
    asked = [f"{BLOG}/a/", f"{BLOG}/b/", f"{BLOG}/never/"]
    labels = counts(client, site, asked).json["labels"]
    assert labels == {asked[0]: "2 comments", asked[1]: "1 comment", asked[2]: "No comments"}
    assert count_label(1234) == "1,234 comments"


def test_another_sites_threads_at_the_same_urls_are_not_counted(client, make_site, make_comment):
    mine, theirs = make_site(), make_site(name="Mirror")  # both on the same origin
    make_comment(theirs, url=f"{BLOG}/a/")
    make_comment(mine, url=f"{BLOG}/b/")
    asked = [f"{BLOG}/a/", f"{BLOG}/b/"]
    assert counts(client, mine, asked).json["counts"] == {asked[0]: 0, asked[1]: 1}
    assert counts(client, theirs, asked).json["counts"] == {asked[0]: 1, asked[1]: 0}


def test_a_page_with_comments_may_read_its_sites_counts(client, site, make_comment):
    for url in (f"{BLOG}/a/", f"{BLOG}/b/"):
        make_comment(site, url=url)
    own = counts(client, site, [f"{BLOG}/a/", f"{BLOG}/b/"], Origin=BLOG)
    assert own.headers["Access-Control-Allow-Origin"] == BLOG
    assert own.json["counts"] == {f"{BLOG}/a/": 1, f"{BLOG}/b/": 1}


def test_held_comments_are_not_counted(client, make_site, make_comment):
    site = make_site(moderation="all")
    make_comment(site, url=f"{BLOG}/a/")
    assert counts(client, site, [f"{BLOG}/a/"]).json["counts"] == {f"{BLOG}/a/": 0}


def test_fifty_pages_cost_a_constant_number_of_queries(app, client, site, make_comment):
    few = [f"{BLOG}/p{n}/" for n in range(2)]
    many = [f"{BLOG}/p{n}/" for n in range(50)]
    for url in many:
        make_comment(site, url=url)
    key = site.key
    q_few = count_queries(
        app, lambda: client.get("/api/v1/counts", query_string={"site": key, "url": few})
    )
    q_many = count_queries(
        app, lambda: client.get("/api/v1/counts", query_string={"site": key, "url": many})
    )
    assert q_few == q_many
    assert q_many == 1  # the site, whether the asker is one of its pages, and the counts


def test_an_unknown_site_is_a_404(client):
    response = client.get("/api/v1/counts", query_string={"site": "nope", "url": f"{BLOG}/a/"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_site"


def test_more_than_a_hundred_is_refused(client, site):
    response = counts(client, site, [f"{BLOG}/{n}/" for n in range(101)])
    assert response.status_code == 400
    assert response.json["error"]["code"] == "too_many"


def test_no_url_is_refused(client, site):
    assert counts(client, site, []).status_code == 400


def test_the_sites_own_pages_may_read_the_counts(client, site):
    own = counts(client, site, [f"{BLOG}/a/"], Origin=BLOG)
    assert own.headers["Access-Control-Allow-Origin"] == BLOG
    other = counts(client, site, [f"{BLOG}/a/"], Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in own.headers["Vary"]


def test_counts_are_cacheable(client, site):
    response = counts(client, site, [f"{BLOG}/a/"])
    assert response.cache_control.public
    assert response.cache_control.max_age == 60
