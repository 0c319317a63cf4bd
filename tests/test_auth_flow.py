"""Sign-in as the iframe and the popup drive it, through the HTTP API.

The provider's own pages are exercised end to end against a real OpenID Connect provider in
tests/e2e; here the provider's answer is stood in for by completing the attempt directly.
"""

from __future__ import annotations

import hashlib
import html
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from tests.support.apps import SERVICE
from tests.support.blog import PAGE, guest
from tests.support.reader import GITHUB, IFRAME, Reader, new_verifier, profile
from widget.auth import attempts
from widget.auth.views import COOKIE
from widget.extensions import db
from widget.models import AuthToken, Identity, LoginAttempt, User


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    with app.app_context():
        yield app


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def provider_link(response) -> str:  # type: ignore[no-untyped-def]
    """Where the popup's page sends the reader (a meta refresh, not a redirect)."""
    match = re.search(
        r'http-equiv="refresh" content="0;url=([^"]+)"', response.get_data(as_text=True)
    )
    assert match, response.get_data(as_text=True)
    return html.unescape(match[1])


def test_popup_is_sent_to_the_provider_with_state_and_pkce(client, site):
    reader = Reader(client, site)
    assert reader.create_attempt().status_code == 201
    response = reader.open_popup()
    assert response.status_code == 200
    target = urlsplit(provider_link(response))
    assert target.netloc == "github.com"
    query = parse_qs(target.query)
    assert query["redirect_uri"] == [f"{SERVICE}/auth/github/callback"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert query["client_id"] == ["gh-id"]


def test_signing_in_answers_a_token_and_sets_a_partitioned_cookie(client, site):
    response = Reader(client, site).sign_in()
    assert response.status_code == 200
    assert response.json["user"]["name"] == "Octo Cat"
    assert response.json["user"]["provider"] == "github"
    assert response.json["user"]["provider_label"] == "GitHub"
    cookie = response.headers["Set-Cookie"]
    for part in (f"{COOKIE}=", "Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/"):
        assert part in cookie


def test_tokens_are_stored_only_as_hashes(client, site):
    body = Reader(client, site).sign_in().json
    stored = db.session.scalars(select(AuthToken.token_hash)).all()
    assert body["access_token"] not in stored
    assert hashlib.sha256(body["access_token"].encode()).hexdigest() in stored


def test_redeem_is_pending_until_the_provider_answers(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    reader.open_popup()
    assert reader.redeem().status_code == 202


def test_redeem_with_another_verifier_is_refused(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    reader.open_popup()
    attempts.complete(reader.attempt, profile())
    response = reader.redeem(verifier=secrets.token_urlsafe(32))
    assert response.status_code == 403
    assert reader.redeem().status_code == 200  # the rightful iframe still can


def test_a_finished_attempt_can_be_redeemed_once(client, site):
    reader = Reader(client, site)
    assert reader.sign_in().status_code == 200
    reader.token = ""
    assert reader.redeem().status_code == 410


def test_a_finished_attempt_expires_within_two_minutes(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    reader.open_popup()
    attempts.complete(reader.attempt, profile())
    attempt = db.session.get(LoginAttempt, reader.attempt)
    attempt.expires_at = attempt.expires_at - timedelta(minutes=2, seconds=1)
    db.session.commit()
    assert reader.redeem().status_code == 410


def test_the_popup_start_is_refused_from_another_origin(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    response = reader.open_popup(origin="https://evil.example")
    assert response.status_code == 403
    assert db.session.get(LoginAttempt, reader.attempt).status == "new"


def test_the_popup_start_is_refused_without_the_start_token(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    reader.start_token = "forged-" + secrets.token_urlsafe(16)
    assert reader.open_popup().status_code == 403


def test_the_popup_start_works_once(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    assert reader.open_popup().status_code == 200
    assert reader.open_popup().status_code == 403


def test_attempts_come_only_from_the_iframe(client, site):
    _, challenge = new_verifier()
    payload = {"site": site.key, "provider": "github", "challenge": challenge}
    foreign = client.post("/api/v1/auth/attempts", json=payload,
                          headers=IFRAME | {"Origin": "https://blog.example.com"})  # fmt: skip
    assert foreign.status_code == 403
    assert client.post("/api/v1/auth/attempts", json=payload).status_code == 403
    assert count(LoginAttempt) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"provider": "twitter"}, "provider"), ({"provider": None}, "provider"),
     ({"challenge": "short"}, "challenge"), ({"challenge": 5}, "challenge")],
)  # fmt: skip
def test_bad_attempts_are_refused(client, site, change, field):
    _, challenge = new_verifier()
    payload = {"site": site.key, "provider": "github", "challenge": challenge} | change
    response = client.post("/api/v1/auth/attempts", json=payload, headers=IFRAME)
    assert response.status_code == 400
    assert response.json["error"]["field"] == field


def test_a_provider_the_site_turned_off_is_not_offered(client, make_site):
    site = make_site(disabled_providers=["github"])
    response = Reader(client, site).create_attempt()
    assert response.status_code == 400
    page = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE})
    assert 'data-provider="github"' not in page.get_data(as_text=True)


def test_configured_providers_show_as_buttons(client, site):
    page = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE})
    html = page.get_data(as_text=True)
    assert 'data-provider="github"' in html
    assert "click an icon to log in" in html


def test_cancelling_at_the_provider_leaves_a_clear_message(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    reader.open_popup()
    page = client.get("/auth/github/callback?error=access_denied&state=x")
    assert page.status_code == 200
    assert "was cancelled" in page.get_data(as_text=True)
    redeemed = reader.redeem()
    assert redeemed.status_code == 200
    assert redeemed.json["status"] == "failed"
    assert "cancelled" in redeemed.json["error"]["message"]
    assert "access_token" not in redeemed.json


def test_a_provider_link_opened_in_another_browser_signs_nobody_in(app, client, site):
    """The attacker starts a sign-in and sends the victim the popup's link."""
    attacker = Reader(client, site)
    attacker.create_attempt()
    provider_url = provider_link(attacker.open_popup())
    state = parse_qs(urlsplit(provider_url).query)["state"][0]
    victim = app.test_client()  # another browser: none of the attacker's cookies
    page = victim.get(f"/auth/github/callback?code=victims-code&state={state}")
    assert page.status_code == 400
    assert "not started in this browser" in page.get_data(as_text=True)
    assert attacker.redeem().status_code == 202  # still nothing for the attacker
    assert count(Identity) == 0


def test_callback_with_a_forged_state_fails_cleanly(client, site):
    reader = Reader(client, site)
    reader.create_attempt()
    reader.open_popup()
    page = client.get("/auth/github/callback?code=abc&state=forged")
    assert page.status_code == 400
    assert "did not confirm who you are" in page.get_data(as_text=True)
    assert reader.redeem().json["status"] == "failed"


def test_resume_swaps_the_cookie_for_a_fresh_access_token(client, site):
    first = Reader(client, site).sign_in().json
    resumed = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    assert resumed.status_code == 200
    assert resumed.json["user"]["name"] == "Octo Cat"
    assert resumed.json["access_token"] != first["access_token"]


def test_resume_without_a_cookie_says_nobody_is_signed_in(client, site):
    response = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    assert response.status_code == 200
    assert response.json["user"] is None


def test_a_session_is_bound_to_the_site_it_was_made_for(client, make_site):
    site_a = make_site()
    site_b = make_site(origins=["https://b.example"], name="B")
    Reader(client, site_a).sign_in()
    response = client.post("/api/v1/session/resume", json={"site": site_b.key}, headers=IFRAME)
    assert response.json["user"] is None


def test_me_says_who_is_signed_in(client, site):
    token = Reader(client, site).sign_in().json["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["user"]["name"] == "Octo Cat"
    assert client.get("/api/v1/me").status_code == 401


def test_a_signed_in_reader_comments_under_their_account(client, site):
    token = Reader(client, site).sign_in().json["access_token"]
    response = client.post(
        "/api/v1/comments",
        json={"site": site.key, "url": PAGE, "body": "Signed in!"},
        headers=IFRAME | {"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.json
    assert response.json["author_name"] == "Octo Cat"
    assert response.json["author_url"] == "https://github.com/octo"
    assert response.json["provider"] == "github"
    html = client.get("/embed/thread", query_string={"site": site.key, "url": PAGE}).get_data(
        as_text=True
    )
    assert "Octo Cat" in html
    assert 'class="provider-mark provider-github"' in html


def test_signed_in_readers_may_comment_where_guests_may_not(client, make_site, post_json):
    site = make_site(guests_allowed=False)
    assert post_json(guest(site)).status_code == 403
    token = Reader(client, site).sign_in().json["access_token"]
    response = post_json({"site": site.key, "url": PAGE, "body": "Hi"},
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert response.status_code == 201


def test_an_expired_token_is_refused(client, site, post_json):
    token = Reader(client, site).sign_in().json["access_token"]
    for stored in db.session.scalars(select(AuthToken)):
        stored.expires_at = stored.created_at - timedelta(seconds=1)
    db.session.commit()
    response = post_json(guest(site), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "signed_out"


def test_log_out_revokes_the_session_and_clears_the_cookie(client, site, post_json):
    token = Reader(client, site).sign_in().json["access_token"]
    out = client.post("/api/v1/session/logout", json={},
                      headers=IFRAME | {"Authorization": f"Bearer {token}"})  # fmt: skip
    assert out.status_code == 204
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    assert "Partitioned" in out.headers["Set-Cookie"]
    assert post_json(guest(site), headers={"Authorization": f"Bearer {token}"}).status_code == 401
    resumed = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    assert resumed.json["user"] is None


def test_a_revoked_session_cookie_no_longer_resumes(client, site):
    Reader(client, site).sign_in()
    for stored in db.session.scalars(select(AuthToken)):
        stored.revoked_at = stored.created_at
    db.session.commit()
    response = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    assert response.json["user"] is None


def test_change_signs_the_previous_account_out(client, site):
    reader = Reader(client, site)
    old = reader.sign_in(profile("1", "First Account")).json["access_token"]
    second = Reader(client, site)
    second.token = old  # the iframe sends the account it is leaving
    assert second.sign_in(profile("2", "Second Account")).status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})
    assert me.status_code == 401


def test_the_same_provider_account_is_the_same_user_and_follows_renames(client, site):
    Reader(client, site).sign_in(profile("77", "Old Name"))
    Reader(client, site).sign_in(profile("77", "New Name"))
    assert count(User) == 1
    assert count(Identity) == 1
    assert db.session.scalar(select(User.name)) == "New Name"
