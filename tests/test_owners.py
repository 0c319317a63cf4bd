"""Owner accounts: created on the command line, signing in and out, sessions, invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.dashboard import PASSWORD, Dashboard, make_owner, signed_in
from widget import owner_sessions, owners
from widget.extensions import db
from widget.models import Invite, Owner, OwnerSession, SiteOwner, as_utc


@pytest.fixture
def cli(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(args=list(args), **kw)


# --- the command line ---------------------------------------------------------------------


def test_owners_create_reads_the_password_from_stdin_and_stores_only_a_scrypt_hash(cli, site):
    result = cli(
        "owners",
        "create",
        "Ann@Example.com",
        "--site",
        site.key,
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    owner = db.session.scalar(select(Owner))
    assert owner.email == "ann@example.com"
    assert owner.password_hash.startswith("scrypt:")
    assert PASSWORD not in owner.password_hash
    assert owners.role_on(owner, site) == "owner"
    assert "/dashboard/" in result.output


def test_owners_create_prompts_twice_for_the_password(cli):
    result = cli(
        "owners", "create", "ann@example.com", "--admin", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Owner)).is_admin


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-email"], PASSWORD, "email address"),
        (["ann@example.com"], "short", "at least 12"),
        (["ann@example.com"], "password1234", "harder to guess"),
        (["ann@example.com", "--site", "nope"], PASSWORD, "No site has that key"),
    ],
)
def test_owners_create_refuses_bad_input_and_stores_nothing(cli, args, stdin, message):
    result = cli("owners", "create", *args, "--password-stdin", input=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(Owner)) is None


def test_owners_create_refuses_an_email_twice(cli):
    cli("owners", "create", "ann@example.com", "--password-stdin", input=PASSWORD)
    again = cli("owners", "create", "ANN@example.com", "--password-stdin", input=PASSWORD)
    assert again.exit_code != 0
    assert "exists" in again.output


def test_sites_create_with_owner_makes_them_its_owner(cli):
    make_owner("ann@example.com")
    result = cli(
        "sites",
        "create",
        "--name",
        "B",
        "--origin",
        "https://b.example",
        "--owner",
        "ann@example.com",
    )
    assert result.exit_code == 0, result.output
    link = db.session.scalar(select(SiteOwner))
    assert (link.owner.email, link.site.name, link.role) == ("ann@example.com", "B", "owner")


def test_sites_create_with_an_unknown_owner_creates_nothing(cli):
    result = cli(
        "sites",
        "create",
        "--name",
        "B",
        "--origin",
        "https://b.example",
        "--owner",
        "ghost@example.com",
    )
    assert result.exit_code != 0
    assert "no owner" in result.output
    assert "B" not in cli("sites", "list").output


# --- signing in and out -------------------------------------------------------------------


def test_the_dashboard_sends_a_stranger_to_the_sign_in_page(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dashboard/login?next=/dashboard/")


def test_an_owner_signs_in_with_email_and_password_and_sees_their_sites(client, site):
    make_owner("ann@example.com", sites=[site])
    dashboard = Dashboard(client)
    response = dashboard.sign_in("ANN@example.com ", next="/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"
    assert site.name in dashboard.text("/dashboard/")


@pytest.mark.parametrize(
    ("email", "password"),
    [("ann@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)],
)
def test_a_wrong_email_or_password_is_refused_without_saying_which(client, site, email, password):
    make_owner("ann@example.com", sites=[site])
    response = Dashboard(client).sign_in(email, password)
    assert response.status_code == 400
    assert "do not match an owner" in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_signing_in_without_the_csrf_token_is_refused(client, site):
    make_owner("ann@example.com", sites=[site])
    client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login", data={"email": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        "dashboard",
    ],
)
def test_after_signing_in_next_never_leaves_the_service(client, site, target):
    make_owner("ann@example.com", sites=[site])
    response = Dashboard(client).sign_in("ann@example.com", next=target)
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location or location.startswith("/%")


def test_next_leads_back_to_the_page_asked_for(client, site):
    make_owner("ann@example.com", sites=[site])
    response = Dashboard(client).sign_in("ann@example.com", next=f"/dashboard/sites/{site.id}/")
    assert response.headers["Location"] == f"/dashboard/sites/{site.id}/"


def test_signing_in_starts_a_new_session(client, site):
    make_owner("ann@example.com", sites=[site])
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    Dashboard(client).sign_in("ann@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert isinstance(session["owner_session"], str)


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_under_https(
    make_app, make_site, monkeypatch
):
    monkeypatch.setenv("WIDGET_PUBLIC_URL", "https://comments.example.net")
    app = make_app()
    with app.app_context():
        make_owner("ann@example.com", sites=[make_site()])
        response = Dashboard(app.test_client()).sign_in("ann@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_signing_out_ends_the_session(client, site):
    dashboard = signed_in(client, site)
    response = dashboard.post("/dashboard/logout")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_signing_out_needs_the_csrf_token(client, site):
    signed_in(client, site)
    assert client.post("/dashboard/logout").status_code == 400
    assert client.get("/dashboard/").status_code == 200


def test_an_owner_changes_their_password(client, site):
    dashboard = signed_in(client, site)
    new = "a much better passphrase"
    response = dashboard.post(
        "/dashboard/account/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert owners.authenticate("owner@example.com", new) is not None
    assert owners.authenticate("owner@example.com", PASSWORD) is None


def test_changing_the_password_needs_the_current_one(client, site):
    dashboard = signed_in(client, site)
    new = "a much better passphrase"
    response = dashboard.post(
        "/dashboard/account/password", data={"current": "guess", "password": new, "confirm": new}
    )
    assert response.status_code == 400
    assert owners.authenticate("owner@example.com", PASSWORD) is not None


# --- invitations without a mail server -------------------------------------------------


def test_without_a_mail_server_the_owner_is_shown_the_link_to_pass_on(client, site):
    ann = signed_in(client, site)
    response = ann.post(
        f"/dashboard/sites/{site.id}/owners", data={"email": "bo@example.com", "role": "moderator"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Send this link yourself" in page
    assert "https://comments.example.net/dashboard/invites/" in page
    assert db.session.scalar(select(Invite)).role == "moderator"


def test_password_guessing_is_slowed_down(make_app, make_site):
    app = make_app(WIDGET_RATELIMIT_ENABLED=True, WIDGET_RATELIMIT_LOGIN="3 per minute")
    with app.app_context():
        make_owner("ann@example.com", sites=[make_site()])
        dashboard = Dashboard(app.test_client())
        for _ in range(3):
            assert dashboard.sign_in("ann@example.com", "wrong password!").status_code == 400
        response = dashboard.sign_in("ann@example.com")
    assert response.status_code == 429
    assert "going a little fast" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


# --- sessions on the server ----------------------------------------------------------------


def _age_sessions(by: timedelta) -> None:
    for record in db.session.scalars(select(OwnerSession)):
        record.last_seen_at = owner_sessions.utcnow() - by
    db.session.commit()


def test_a_session_left_idle_past_the_limit_is_signed_out(client, site):
    signed_in(client, site)
    _age_sessions(owner_sessions.IDLE_LIMIT + timedelta(minutes=1))
    assert client.get("/dashboard/").status_code == 302


def test_a_session_in_use_notes_when_it_was_last_seen(client, site):
    signed_in(client, site)
    _age_sessions(timedelta(minutes=10))
    assert client.get("/dashboard/").status_code == 200
    seen = db.session.scalar(select(OwnerSession.last_seen_at))
    assert as_utc(seen) > owner_sessions.utcnow() - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.5 Safari/605.1.15", "Safari on macOS"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"),
        ("curl/8.5", "An unknown browser"),
    ],
)  # fmt: skip
def test_the_account_page_names_each_browser_by_a_short_summary(user_agent, device):
    assert owner_sessions.device(user_agent) == device
