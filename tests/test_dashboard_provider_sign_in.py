"""An owner links a sign-in provider account, then signs in to the dashboard with it.

The provider's own pages are stood in for: its token endpoint and profile are replaced, the
rest (state, the shared /auth/<name>/callback, the session) is the real flow.
"""

from __future__ import annotations

import dataclasses
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.flask_client.apps import FlaskOAuth2App

from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget import owners
from widget.auth import registry
from widget.auth.profiles import Profile
from widget.extensions import db
from widget.models import OwnerIdentity

GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}


@pytest.fixture
def app(make_app, monkeypatch):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    monkeypatch.setattr(
        FlaskOAuth2App, "authorize_access_token", lambda self, **kw: {"access_token": "t"}
    )
    with app.app_context():
        yield app


@pytest.fixture
def github_says(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Choose who GitHub says the person signing in is."""

    def choose(subject: str = "4242", name: str = "Octo Cat") -> None:
        profile = Profile(
            provider="github",
            subject=subject,
            name=name,
            avatar_url=None,
            profile_url=None,
            email="octo@example.com",
            email_verified=True,
        )
        github = dataclasses.replace(
            registry.all_providers()["github"], fetch_profile=lambda client, token: profile
        )
        monkeypatch.setitem(app.extensions[registry.KEY], "github", github)

    choose()
    return choose


def go_to_github(dashboard: Dashboard, path: str, next: str = "") -> str:
    """Press the button; the page moves on to GitHub by itself. The state GitHub gets."""
    page = dashboard.post(path, data={"next": next} if next else None)
    assert page.status_code == 200
    target = html.unescape(re.search(r'content="0;url=([^"]+)"', page.get_data(as_text=True))[1])
    assert target.startswith("https://github.com/login/oauth/authorize?")
    query = parse_qs(urlsplit(target).query)
    assert query["redirect_uri"] == ["https://comments.example.net/auth/github/callback"]
    return query["state"][0]


def come_back(dashboard: Dashboard, state: str):  # type: ignore[no-untyped-def]
    return dashboard.get(f"/auth/github/callback?code=abc&state={state}")


def test_an_owner_links_github_then_signs_in_with_it(client, site, github_says):
    dashboard = signed_in(client, site)
    state = go_to_github(dashboard, "/dashboard/account/link/github")
    linked = come_back(dashboard, state)
    assert linked.headers["Location"] == "/dashboard/account"
    assert "Octo Cat" in dashboard.text("/dashboard/account")

    dashboard.post("/dashboard/logout")
    dashboard._token = ""
    state = go_to_github(dashboard, "/dashboard/login/github", next=f"/dashboard/sites/{site.id}/")
    signed = come_back(dashboard, state)
    assert signed.headers["Location"] == f"/dashboard/sites/{site.id}/"
    assert dashboard.get(f"/dashboard/sites/{site.id}/").status_code == 200


def test_an_unlinked_github_account_signs_nobody_in(client, site, github_says):
    make_owner("ann@example.com", sites=[site])
    dashboard = Dashboard(client)
    state = go_to_github(dashboard, "/dashboard/login/github")
    response = come_back(dashboard, state)
    assert response.headers["Location"] == "/dashboard/login"
    assert client.get("/dashboard/").status_code == 302
    page = client.get("/dashboard/login").get_data(as_text=True)
    assert "is not linked to an owner here" in page


def test_one_github_account_links_to_one_owner_only(app, client, make_site, github_says):
    ann = signed_in(client, make_site(), "ann@example.com")
    come_back(ann, go_to_github(ann, "/dashboard/account/link/github"))
    bo = signed_in(app.test_client(), make_site(name="B"), "bo@example.com")
    come_back(bo, go_to_github(bo, "/dashboard/account/link/github"))
    assert "already linked to another owner" in bo.text("/dashboard/account")
    links = db.session.scalars(db.select(OwnerIdentity)).all()
    assert [link.owner_id for link in links] == [owners.find_owner("ann@example.com").id]


def test_unlinking_stops_the_account_signing_in(client, site, github_says):
    dashboard = signed_in(client, site)
    come_back(dashboard, go_to_github(dashboard, "/dashboard/account/link/github"))
    link = db.session.scalar(db.select(OwnerIdentity))
    assert dashboard.post(f"/dashboard/account/unlink/{link.identity_id}").status_code == 302
    assert db.session.scalar(db.select(OwnerIdentity)) is None


def test_a_forged_state_does_not_sign_in(client, site, github_says):
    make_owner("ann@example.com", sites=[site])
    dashboard = Dashboard(client)
    go_to_github(dashboard, "/dashboard/login/github")
    response = come_back(dashboard, "forged")
    # Not the dashboard's sign-in: the comment popup's page answers, and nobody is signed in.
    assert response.status_code == 400
    assert client.get("/dashboard/").status_code == 302


def test_a_reader_signing_in_meanwhile_leaves_the_owners_sign_in_to_finish(
    client, site, github_says
):
    """One browser, both surfaces: each callback goes to the sign-in its state belongs to."""
    dashboard = signed_in(client, site)
    come_back(dashboard, go_to_github(dashboard, "/dashboard/account/link/github"))
    dashboard.post("/dashboard/logout")
    dashboard._token = ""
    owners_state = go_to_github(dashboard, "/dashboard/login/github")
    # The comment iframe on the owner's own blog signs a reader in with GitHub, in between.
    iframe = {"X-Requested-With": "XMLHttpRequest", "Origin": "https://comments.example.net"}
    attempt = client.post(
        "/api/v1/auth/attempts",
        json={"site": site.key, "provider": "github", "challenge": "c" * 43},
        headers=iframe,
    ).json
    popup = client.post(
        "/auth/start",
        data={"attempt": attempt["attempt"], "start_token": attempt["start_token"]},
        headers={"Origin": "https://comments.example.net"},
    )
    readers_state = parse_qs(urlsplit(_refresh_target(popup)).query)["state"][0]
    assert come_back(dashboard, readers_state).status_code == 200  # the popup's page
    signed = come_back(dashboard, owners_state)
    assert signed.headers["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code != 302


def _refresh_target(page) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.search(r'content="0;url=([^"]+)"', page.get_data(as_text=True))[1])


def test_cancelling_at_github_returns_to_the_sign_in_page(client, site, github_says):
    make_owner("ann@example.com", sites=[site])
    dashboard = Dashboard(client)
    state = go_to_github(dashboard, "/dashboard/login/github")
    response = dashboard.get(f"/auth/github/callback?error=access_denied&state={state}")
    assert response.headers["Location"] == "/dashboard/login"


def test_starting_a_provider_sign_in_needs_the_csrf_token(client, site):
    assert client.post("/dashboard/login/github").status_code == 400


def test_an_unknown_provider_is_a_404(client, site):
    dashboard = Dashboard(client)
    assert dashboard.post("/dashboard/login/myspace").status_code == 404
