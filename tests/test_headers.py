"""Security headers on every kind of response."""

import pytest

from tests.support.blog import BLOG, PAGE


@pytest.mark.parametrize(
    "path",
    ["/api/v1/threads?site=nope&url=x", "/api/v1/openapi.json", "/embed.js", "/no-such-page",
     "/static/thread.js", "/favicon.ico"],
)  # fmt: skip
def test_responses_without_a_policy_of_their_own_get_the_strict_one(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_thread_page_may_be_framed_only_by_its_site(client, site):
    response = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE})
    csp = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors {BLOG}" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_the_demo_article_needs_no_unsafe_inline(make_app):
    app = make_app(WIDGET_DEMO=True)
    with app.app_context():
        app.test_cli_runner().invoke(args=["demo"])
        response = app.test_client().get("/demo/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "<style" not in response.get_data(as_text=True)
    assert "script-src https://comments.example.net" in csp
