"""Site origins that are not exactly scheme://host[:port]: they land in the thread page's
`Content-Security-Policy: frame-ancestors …`, where `*` lets any page frame the thread, `;`
starts a directive of the attacker's choosing, and a quote or a space adds a source.

Refused with a clear message by the CLI and the dashboard (new site, settings); and an origin
already stored badly (written straight into the database) never reaches the header.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.blog import BLOG, PAGE
from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget.extensions import db
from widget.headers import page_csp
from widget.models import Site, SiteOrigin
from widget.urls import BadURL, normalize_origin

HOSTILE_ORIGINS = [
    "*",
    "https://*",
    "https://*.example.com",
    "https://blog.example.com;",
    "https://blog.example.com; script-src *",
    "https://blog.example.com;script-src https://evil.example",
    "https://blog.example.com'",
    'https://blog.example.com"',
    "https://blog.example.com 'unsafe-inline'",
    "https://blog.example.com https://evil.example",
    "https://blog.example.com,https://evil.example",
    "https://user@blog.example.com",
    "https://user:pw@blog.example.com",
    "https://blog.example.com/path",
    "https://blog.example.com?",
    "https://blog.example.com?x=1",
    "https://blog.example.com#",
    "https://blog.example.com#x",
    "https://blog.example.com\\",
    "https://blog.example.com:0",
    "https://blog.example.com:65536",
    "https://blog.example.com:99999",
    "https://blog.example.com:8080:90",
    "https://blog.example.com:",
    "https://blog.example.com:+80",
    "https://blog..example.com",
    "https://-blog.example.com",
    "https://blog-.example.com",
    "https://blog_x.example.com",
    "https://bl%6fg.example.com",
    "https://blog.example.com%0d%0aX-Injected:1",
    "https://bl og.example.com",
    "https://1.2.3",
    "https://0x7f.0.0.1",
    "https://256.0.0.1",
    "https://[::1",
    "https://[fe80::1%25eth0]",
    "https://" + "a" * 64 + ".example.com",
    "https://",
    "https:///x",
    "https:blog.example.com",
    "//blog.example.com",
    "blog.example.com",
    "data:",
    "javascript://blog.example.com",
    "ftp://blog.example.com",
    "ws://blog.example.com",
    "'self'",
    "'none'",
]
FALLBACK_DIRECTIVES = len(page_csp("'none'").split("; "))
GOOD_ORIGINS = [
    ("https://blog.example.com", "https://blog.example.com"),
    ("HTTPS://Blog.Example.COM:443/", "https://blog.example.com"),
    ("https://blog.example.com.", "https://blog.example.com"),
    ("http://127.0.0.2:8001", "http://127.0.0.2:8001"),
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("http://[2001:DB8::1]", "http://[2001:db8::1]"),
    ("http://localhost:5000", "http://localhost:5000"),
    ("https://bücher.example", "https://xn--bcher-kva.example"),
    ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ("https://a-b.c-d.example:65535", "https://a-b.c-d.example:65535"),
]


@pytest.mark.parametrize("origin", HOSTILE_ORIGINS)
def test_normalize_origin_refuses(origin):
    with pytest.raises(BadURL):
        normalize_origin(origin)


@pytest.mark.parametrize(("origin", "normalized"), GOOD_ORIGINS)
def test_normalize_origin_keeps_real_origins(origin, normalized):
    assert normalize_origin(origin) == normalized


def site_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Site))


# Each entry point is tried with every hostile origin in one app (the rule itself is tried
# one origin a test, above): an app, a database and a signed-in owner per origin cost minutes.


def test_cli_refuses_every_hostile_origin(app):
    runner = app.test_cli_runner()
    for origin in HOSTILE_ORIGINS:
        result = runner.invoke(args=["sites", "create", "--name", "X", "--origin", origin])
        assert result.exit_code != 0, origin
        assert "--origin" in result.output and "scheme://host" in result.output, origin
    assert site_count() == 0


def test_dashboard_refuses_a_new_site_with_any_hostile_origin(client):
    make_owner("ann@example.com")
    dashboard = Dashboard(client)
    dashboard.sign_in("ann@example.com")
    for origin in HOSTILE_ORIGINS:
        response = dashboard.post("/dashboard/sites/new", data={"name": "X", "origins": origin})
        assert "scheme://host" in response.get_data(as_text=True), origin
    assert site_count() == 0


def test_dashboard_settings_refuse_every_hostile_origin(client, site):
    owner = signed_in(client, site)
    for origin in HOSTILE_ORIGINS:
        form = {"name": "Blog", "origins": f"{BLOG}\n{origin}", "moderation": "off",
                "link_limit": "2", "guests_allowed": "y", "theme": "auto"}  # fmt: skip
        response = owner.post(f"/dashboard/sites/{site.id}/settings", data=form)
        assert response.status_code == 400, origin
        assert "scheme://host" in response.get_data(as_text=True), origin
    db.session.expire_all()
    assert db.session.get(Site, site.id).origin_list == [BLOG]


@pytest.mark.parametrize(
    "stored",
    [
        "*",
        "https://blog.example.com; script-src *",
        "https://evil.example 'unsafe-inline'",
        "https://blog.example.com'",
        'https://blog.example.com"',
        "https://x.example,https://evil.example",
        "https://blog.example.com/path",
        "'self'",
        "'unsafe-inline'",
        "https://x.example\r\nX-Injected: 1",
    ],
)
def test_an_origin_stored_badly_never_reaches_the_frame_ancestors(client, site, stored):
    db.session.add(SiteOrigin(site_id=site.id, origin=stored))  # as if written before the rule
    db.session.commit()
    response = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "\r" not in csp and "\n" not in csp and "X-Injected" not in response.headers
    ancestors = next(d for d in csp.split("; ") if d.startswith("frame-ancestors "))
    # Each stored row is judged whole: no word of a bad one gets through.
    assert ancestors.split()[1:] == [BLOG]
    assert csp.count(";") == FALLBACK_DIRECTIVES - 1


def test_frame_ancestors_is_none_when_no_stored_origin_passes(client, site):
    db.session.add(SiteOrigin(site_id=site.id, origin="*"))
    db.session.commit()
    assert page_csp(["*", "https://x.example; script-src *"]).endswith("frame-ancestors 'none'")
    assert page_csp("* 'unsafe-inline'").endswith("frame-ancestors 'none'")
    assert page_csp([BLOG, "https://a.example https://evil.example"]).endswith(
        f"frame-ancestors {BLOG}"
    )
