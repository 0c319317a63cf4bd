"""The loader never builds a counts request that the production server refuses: a front page
with the documented 100 URLs, each 100 characters long (a GET would be a 414 from gunicorn)."""

from __future__ import annotations

import json

from tests.support.blog import BLOG

HEADERS = {"Content-Type": "text/plain;charset=UTF-8", "Origin": BLOG}


def long_urls(n: int = 100) -> list[str]:
    urls = [f"{BLOG}/2026/11/{'a-rather-long-article-slug-' * 3}{i:04d}/" for i in range(n)]
    assert all(len(u) >= 100 for u in urls)
    return urls


def ask(client, site, urls, **extra):  # type: ignore[no-untyped-def]
    body = json.dumps({"site": site.key, "urls": urls} | extra)
    return client.post("/api/v1/counts", data=body, headers=HEADERS)


def test_a_hundred_long_urls_are_counted_in_one_post(client, site, make_comment):
    urls = long_urls()
    make_comment(site, url=urls[7])
    make_comment(site, url=urls[7])
    response = ask(client, site, urls)
    assert response.status_code == 200
    assert response.json["counts"][urls[7]] == 2
    assert sum(response.json["counts"].values()) == 2 and len(response.json["counts"]) == 100
    # The site's own page may read it, as with the GET; nobody keeps a POST's answer.
    assert response.headers["Access-Control-Allow-Origin"] == BLOG
    assert "no-store" in response.headers["Cache-Control"]


def test_the_post_is_a_simple_request_that_needs_no_preflight(client, site):
    # text/plain, no custom header: what a browser sends across origins without OPTIONS.
    assert ask(client, site, long_urls(3)).status_code == 200
    assert client.options("/api/v1/counts").headers.get("Access-Control-Allow-Headers") is None


def test_another_pages_origin_cannot_read_the_post(client, site):
    body = json.dumps({"site": site.key, "urls": long_urls(2)})
    response = client.post("/api/v1/counts", data=body,
                           headers=HEADERS | {"Origin": "https://evil.example"})  # fmt: skip
    assert "Access-Control-Allow-Origin" not in response.headers


def test_bad_bodies_are_named_4xx(client, site):
    assert ask(client, site, long_urls(101)).status_code == 400
    assert ask(client, site, []).status_code == 400
    response = client.post("/api/v1/counts", data="{nope", headers=HEADERS)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"
    response = ask(client, site, "https://blog.example.com/")
    assert response.status_code == 400 and response.json["error"]["field"] == "urls"
    response = client.post("/api/v1/counts", data=json.dumps({"site": "nope", "urls": [BLOG]}),
                           headers=HEADERS)  # fmt: skip
    assert response.status_code == 404
