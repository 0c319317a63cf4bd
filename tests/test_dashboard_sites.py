"""Creating a site in the dashboard, its snippet, and its settings as readers then meet them."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.support.blog import BLOG, PAGE, guest
from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget import owners
from widget.auth import registry
from widget.extensions import db
from widget.models import Site

GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    with app.app_context():
        yield app


def settings_of(site: Site, **changes: object) -> dict[str, object]:
    """The settings form as the owner sends it, unchanged but for `changes`."""
    form: dict[str, object] = {
        "name": site.name,
        "origins": "\n".join(site.origin_list),
        "moderation": site.moderation,
        "link_limit": str(site.link_limit),
        "guests_allowed": "y" if site.guests_allowed else "",
        "providers": [p.name for p in registry.offered(site)],
        "held_words": "\n".join(site.held_words),
        "theme": site.theme,
    }
    return {k: v for k, v in (form | changes).items() if v not in ("", None)}


def test_an_owner_creates_a_site_and_gets_its_snippet(client):
    make_owner("ann@example.com")
    dashboard = Dashboard(client)
    assert dashboard.sign_in("ann@example.com", next="/dashboard/").status_code == 302
    # An owner with no site yet is asked to create one.
    assert client.get("/dashboard/").headers["Location"] == "/dashboard/sites/new"
    response = dashboard.post(
        "/dashboard/sites/new",
        data={"name": "Garden notes", "origins": "https://garden.example\nhttp://127.0.0.2:8001"},
    )
    site = db.session.scalar(select(Site))
    assert response.headers["Location"] == f"/dashboard/sites/{site.id}/settings"
    assert site.origin_list == ["https://garden.example", "http://127.0.0.2:8001"]
    assert owners.role_on(owners.find_owner("ann@example.com"), site) == "owner"
    page = html.unescape(dashboard.text(f"/dashboard/sites/{site.id}/settings"))
    src = "https://comments.example.net/embed.js"
    assert f'<script async src="{src}" data-site="{site.key}"></script>' in page


def test_a_site_with_a_bad_origin_is_not_created(client):
    make_owner("ann@example.com")
    dashboard = Dashboard(client)
    dashboard.sign_in("ann@example.com")
    response = dashboard.post(
        "/dashboard/sites/new", data={"name": "X", "origins": "https://x.example/with/path"}
    )
    assert response.status_code == 200
    assert "no path" in response.get_data(as_text=True)
    assert db.session.scalar(select(Site)) is None


def test_moderation_all_from_the_settings_holds_new_comments(client, site, post_json):
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/settings", data=settings_of(site, moderation="all")
    )
    assert response.status_code == 302
    assert post_json(guest(site)).status_code == 202


def test_links_mode_uses_the_link_limit_from_the_settings(client, site, post_json):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings",
        data=settings_of(site, moderation="links", link_limit="0"),
    )
    assert post_json(guest(site, body="https://one.example")).status_code == 202
    assert post_json(guest(site, body="no links")).status_code == 201


def test_first_time_mode_from_the_settings(client, site, post_json):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings", data=settings_of(site, moderation="first-time")
    )
    assert post_json(guest(site)).status_code == 202


def test_sign_in_only_refuses_guests(client, site, post_json):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings", data=settings_of(site, guests_allowed="")
    )
    response = post_json(guest(site))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "sign_in_required"


def test_turning_a_provider_off_removes_its_button(client, site):
    assert [p.name for p in registry.offered(site)] == ["github"]
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings", data=settings_of(site, providers=None)
    )
    assert registry.offered(db.session.get(Site, site.id)) == []
    html = client.get(
        "/embed/thread", query_string={"site": site.key, "url": PAGE, "parent": BLOG}
    ).get_data(as_text=True)
    assert 'data-provider="github"' not in html


def test_held_words_from_the_settings_hold_comments(client, site, post_json):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings",
        data=settings_of(site, held_words="casino\n  cheap pills  \n\ncasino"),
    )
    assert db.session.get(Site, site.id).held_words == ["casino", "cheap pills"]
    assert post_json(guest(site, body="Casino night!")).status_code == 202


def test_the_default_theme_reaches_the_widget_unless_the_snippet_chooses(client, site):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings", data=settings_of(site, theme="dark")
    )
    query = {"site": site.key, "url": PAGE, "parent": BLOG}
    assert 'class="theme-dark"' in client.get("/embed/thread", query_string=query).get_data(
        as_text=True
    )
    light = client.get("/embed/thread", query_string=query | {"theme": "light"})
    assert 'class="theme-light"' in light.get_data(as_text=True)


def test_renaming_and_changing_origins(client, site):
    dashboard = signed_in(client, site)
    dashboard.post(
        f"/dashboard/sites/{site.id}/settings",
        data=settings_of(site, name="Renamed", origins="https://new.example\n" + BLOG),
    )
    changed = db.session.get(Site, site.id)
    db.session.refresh(changed)
    assert changed.name == "Renamed"
    assert set(changed.origin_list) == {"https://new.example", BLOG}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"origins": "ftp://x.example"}, "http"),
        ({"origins": ""}, "at least one origin"),
        ({"name": ""}, "Give the site a name"),
        ({"link_limit": "-1"}, "Number must be"),
        ({"moderation": "sometimes"}, "Not a valid choice"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(client, site, changes, message):
    response = signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/settings", data=settings_of(site) | changes
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Site, site.id)
    assert kept.origin_list == [BLOG] and kept.name == "Blog" and kept.moderation == "off"
