"""The e2e OpenID provider itself (tests/e2e/idp): discovery, PKCE, its sign-in pages, COOP, and
one whole authorization-code round trip done by hand, which documents the pages' forms.

These tests start their own providers with ``start_idp`` rather than the session fixture ``idp``:
that is cached for the whole session with the real ``service_url``, and the dummy one below must
not leak into it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from tests.support.idp import IdP, callback_url, start_idp

pytestmark = pytest.mark.e2e

PICTURE = "http://127.0.0.1:1/static/test/alice.png"


@pytest.fixture(scope="session")
def service_url() -> str:
    """Nothing listens here: the provider only needs it to build the redirect URI."""
    return "http://127.0.0.1:1"


@pytest.fixture(scope="module")
def plain_idp(service_url: str) -> Iterator[IdP]:
    with start_idp([callback_url(service_url)], picture_url=PICTURE) as provider:
        yield provider


@pytest.fixture(scope="module")
def coop_idp(service_url: str) -> Iterator[IdP]:
    with start_idp([callback_url(service_url)], coop=True) as provider:
        yield provider


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(idp: IdP, challenge: str | None, state: str = "st", nonce: str = "nn") -> str:
    params = {
        "response_type": "code",
        "client_id": idp.client_id,
        "redirect_uri": idp.redirect_uris[0],
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return f"{idp.issuer}/auth?{urlencode(params)}"


def form_action(page: str, base: str) -> str:
    match = re.search(r'<form[^>]*\baction="([^"]+)"[^>]*method="post"', page)
    assert match, page
    return urljoin(base, html.unescape(match.group(1)))


def follow(session: requests.Session, response: requests.Response, stop_at: str):
    """Follow redirects by hand; return (final response, None) or (None, the URL under stop_at)."""
    for _ in range(10):
        if not response.is_redirect:
            return response, None
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(stop_at):
            return None, location
        response = session.get(location, allow_redirects=False, timeout=5)
    raise AssertionError("too many redirects")


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_discovery(plain_idp: IdP) -> None:
    doc = requests.get(plain_idp.discovery_url, timeout=5).json()
    issuer = plain_idp.issuer
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", issuer)
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/auth"
    assert doc["token_endpoint"] == f"{issuer}/token"
    assert doc["userinfo_endpoint"] == f"{issuer}/me"
    assert doc["jwks_uri"] == f"{issuer}/jwks"
    assert "S256" in doc["code_challenge_methods_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        doc["token_endpoint_auth_methods_supported"]
    )
    assert {"openid", "email", "profile"} <= set(doc["scopes_supported"])


def test_authorization_endpoint_shows_the_login_page(plain_idp: IdP) -> None:
    _verifier, challenge = pkce_pair()
    response = requests.get(authorize_url(plain_idp, challenge), timeout=5)
    assert response.status_code == 200
    assert urlsplit(response.url).path.startswith("/interaction/")
    assert '<input required type="text" name="login"' in response.text
    assert 'name="password"' in response.text
    assert ">Sign-in</button>" in response.text
    assert "Cross-Origin-Opener-Policy" not in response.headers
    assert "Cross-Origin-Opener-Policy" not in requests.get(plain_idp.discovery_url).headers


def test_pkce_is_required(plain_idp: IdP) -> None:
    response = requests.get(authorize_url(plain_idp, None), allow_redirects=False, timeout=5)
    assert response.is_redirect
    location = response.headers["Location"]
    assert location.startswith(plain_idp.redirect_uris[0] + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == ["invalid_request"]
    assert "PKCE" in query["error_description"][0]


def test_coop_on_every_response(coop_idp: IdP) -> None:
    _verifier, challenge = pkce_pair()
    session = requests.Session()
    first = session.get(authorize_url(coop_idp, challenge), allow_redirects=False, timeout=5)
    login_page = session.get(urljoin(first.url, first.headers["Location"]), timeout=5)
    unknown_client = session.get(f"{coop_idp.issuer}/auth?client_id=nobody", timeout=5)
    not_found = session.get(f"{coop_idp.issuer}/nothing-here", timeout=5)
    discovery = session.get(coop_idp.discovery_url, timeout=5)
    assert first.status_code == 303
    assert 'name="login"' in login_page.text
    assert unknown_client.status_code == 400
    assert not_found.status_code == 404
    for response in (first, login_page, unknown_client, not_found, discovery):
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", response.url


def test_authorization_code_round_trip(plain_idp: IdP) -> None:
    """What a browser does in the popup, and what Authlib then does on the callback."""
    started = time.monotonic()
    redirect_uri = plain_idp.redirect_uris[0]
    verifier, challenge = pkce_pair()
    session = requests.Session()

    # 1. /auth redirects to /interaction/<uid>: the login form.
    response = session.get(
        authorize_url(plain_idp, challenge, state="state-1", nonce="nonce-1"),
        allow_redirects=False,
        timeout=5,
    )
    login_page, _ = follow(session, response, redirect_uri)
    assert login_page.status_code == 200
    assert '<input type="hidden" name="prompt" value="login"/>' in login_page.text

    # 2. Post the login form; it comes back to /interaction/<uid> with the consent form.
    response = session.post(
        form_action(login_page.text, login_page.url),
        data={"prompt": "login", "login": "alice", "password": "anything"},
        allow_redirects=False,
        timeout=5,
    )
    consent_page, _ = follow(session, response, redirect_uri)
    assert consent_page.status_code == 200
    assert '<input type="hidden" name="prompt" value="consent"/>' in consent_page.text
    assert ">Continue</button>" in consent_page.text

    # 3. Post the consent form; the provider redirects to our callback with code, state and iss.
    response = session.post(
        form_action(consent_page.text, consent_page.url),
        data={"prompt": "consent"},
        allow_redirects=False,
        timeout=5,
    )
    _, callback = follow(session, response, redirect_uri)
    assert callback is not None
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == ["state-1"]
    assert query["iss"] == [plain_idp.issuer]
    code = query["code"][0]

    # 4. Exchange the code with client_secret_basic (Authlib's default) and the PKCE verifier.
    token_endpoint = f"{plain_idp.issuer}/token"
    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    wrong_verifier = requests.post(
        token_endpoint,
        data=grant | {"code_verifier": secrets.token_urlsafe(48)},
        auth=(plain_idp.client_id, plain_idp.client_secret),
        timeout=5,
    )
    assert wrong_verifier.status_code == 400
    assert wrong_verifier.json()["error"] == "invalid_grant"
    # A failed redemption burns the code, so a second attempt for the real exchange.
    code = _code_for_existing_session(session, plain_idp, challenge, redirect_uri)
    tokens = requests.post(
        token_endpoint,
        data=grant | {"code": code, "code_verifier": verifier},
        auth=(plain_idp.client_id, plain_idp.client_secret),
        timeout=5,
    )
    assert tokens.status_code == 200, tokens.text
    tokens = tokens.json()
    assert tokens["token_type"] == "Bearer"
    assert "refresh_token" not in tokens
    id_token = jwt_claims(tokens["id_token"])
    assert id_token["iss"] == plain_idp.issuer
    assert id_token["aud"] == plain_idp.client_id
    assert id_token["sub"] == "alice"
    assert id_token["nonce"] == "nonce-2"
    # conformIdTokenClaims: scope claims are NOT in the ID token, only at userinfo.
    assert "email" not in id_token
    assert "name" not in id_token

    # 5. Userinfo with the access token.
    userinfo = requests.get(
        f"{plain_idp.issuer}/me",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=5,
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json() == {
        "sub": "alice",
        "name": "Alice Example",
        "email": "alice@example.test",
        "email_verified": True,
        "picture": PICTURE,
        "profile": "https://profiles.example.test/alice",
    }

    # 6. client_secret_post works too for the same client.
    code = _code_for_existing_session(session, plain_idp, challenge, redirect_uri)
    posted = requests.post(
        token_endpoint,
        data=grant
        | {
            "code": code,
            "code_verifier": verifier,
            "client_id": plain_idp.client_id,
            "client_secret": plain_idp.client_secret,
        },
        timeout=5,
    )
    assert posted.status_code == 200, posted.text
    assert time.monotonic() - started < 10


def _code_for_existing_session(
    session: requests.Session, idp: IdP, challenge: str, redirect_uri: str
) -> str:
    """With the provider's session and grant cookies, /auth goes straight back with a code."""
    response = session.get(
        authorize_url(idp, challenge, state="state-2", nonce="nonce-2"),
        allow_redirects=False,
        timeout=5,
    )
    page, callback = follow(session, response, redirect_uri)
    assert callback is not None, page.text if page is not None else ""
    return parse_qs(urlsplit(callback).query)["code"][0]


def test_authlib_client_with_another_login(plain_idp: IdP) -> None:
    """Authlib's own client (what the app uses) with its defaults: client_secret_basic, S256.
    Any login is accepted; its name is the login capitalised."""
    redirect_uri = plain_idp.redirect_uris[0]
    client = OAuth2Session(
        plain_idp.client_id,
        plain_idp.client_secret,
        scope="openid email profile",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    verifier = generate_token(48)
    url, state = client.create_authorization_url(
        f"{plain_idp.issuer}/auth", code_verifier=verifier, nonce="n-carol"
    )
    browser = requests.Session()
    page, _ = follow(browser, browser.get(url, allow_redirects=False, timeout=5), redirect_uri)
    response = browser.post(
        form_action(page.text, page.url),
        data={"prompt": "login", "login": "carol", "password": "x"},
        allow_redirects=False,
        timeout=5,
    )
    page, _ = follow(browser, response, redirect_uri)
    response = browser.post(
        form_action(page.text, page.url),
        data={"prompt": "consent"},
        allow_redirects=False,
        timeout=5,
    )
    _, callback = follow(browser, response, redirect_uri)
    assert callback is not None
    token = client.fetch_token(
        f"{plain_idp.issuer}/token",
        authorization_response=callback,
        state=state,
        code_verifier=verifier,
    )
    assert jwt_claims(token["id_token"])["sub"] == "carol"
    claims = client.get(f"{plain_idp.issuer}/me", timeout=5).json()
    assert claims["sub"] == "carol"
    assert claims["name"] == "Carol"
    assert claims["email"] == "carol@example.test"
    assert claims["profile"] == "https://profiles.example.test/carol"
