"""The ID token's checks, with a forged token: the real provider in tests/e2e never sends a bad
one, so here the provider's metadata and token answer are stood in for."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import func, select

from tests.support.reader import IFRAME, Reader
from widget.extensions import db, oauth
from widget.models import Identity

ISSUER = "https://id.example.org"
OIDC = {
    "WIDGET_OIDC_ISSUER": ISSUER,
    "WIDGET_OIDC_CLIENT_ID": "widget",
    "WIDGET_OIDC_CLIENT_SECRET": "s3cret",
    "WIDGET_OIDC_NAME": "Example ID",
}
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(**OIDC)
    with app.app_context():
        client = oauth.create_client("oidc")
        client.server_metadata.update(
            {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks": KeySet([KEY]).as_dict(private=False),
                "id_token_signing_alg_values_supported": ["RS256"],
                "_loaded_at": time.time(),  # no discovery request: nothing real is there
            }
        )
        yield app


def id_token(**claims: Any) -> str:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": "widget", "sub": "u-1", "iat": now, "exp": now + 300,
            "name": "Nina Nonce", "email": "nina@example.org"}  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": "k1"}, base | claims, KEY)


def provider_answers(monkeypatch, token: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    client = oauth.create_client("oidc")
    monkeypatch.setattr(client, "fetch_access_token", lambda **kwargs: dict(token))


def start(client, site) -> tuple[Reader, str, str]:  # type: ignore[no-untyped-def]
    reader = Reader(client, site)
    reader.create_attempt(provider="oidc")
    reader.open_popup()
    with client.session_transaction() as session:
        key = next(k for k in session if k.startswith("_state_oidc_"))
        return reader, key.removeprefix("_state_oidc_"), session[key]["data"]["nonce"]


def identities() -> int:
    return db.session.scalar(select(func.count()).select_from(Identity))


def test_an_id_token_with_the_right_nonce_signs_in(client, site, monkeypatch):
    reader, state, nonce = start(client, site)
    provider_answers(monkeypatch, {"access_token": "at", "token_type": "Bearer",
                                   "id_token": id_token(nonce=nonce)})  # fmt: skip
    page = client.get(f"/auth/oidc/callback?code=c&state={state}")
    assert page.status_code == 200, page.get_data(as_text=True)
    assert reader.redeem().json["user"]["name"] == "Nina Nonce"


@pytest.mark.parametrize(
    "claims",
    [
        {"nonce": "not-the-nonce-we-sent"},
        {"nonce": None},  # filled with the right nonce below, but another audience
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["wrong-nonce", "wrong-audience", "wrong-issuer", "expired"],
)
def test_a_bad_id_token_signs_nobody_in(client, site, monkeypatch, claims):
    reader, state, nonce = start(client, site)
    if claims.get("nonce", "") is None:
        claims = {"nonce": nonce, "aud": "someone-else"}
    claims.setdefault("nonce", nonce)
    provider_answers(monkeypatch, {"access_token": "at", "token_type": "Bearer",
                                   "id_token": id_token(**claims)})  # fmt: skip
    page = client.get(f"/auth/oidc/callback?code=c&state={state}")
    assert page.status_code == 400
    assert "did not confirm who you are" in page.get_data(as_text=True)
    assert reader.redeem().json["status"] == "failed"
    assert identities() == 0
    me = client.post("/api/v1/session/resume", json={"site": site.key}, headers=IFRAME)
    assert me.json["user"] is None
