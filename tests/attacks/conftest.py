"""Fixtures the attack tests share: an app offering GitHub sign-in, and a reader signed in
through it as the iframe does, with the provider's answer stood in for."""

from __future__ import annotations

import hashlib
import secrets
from base64 import urlsafe_b64encode
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from tests.support.apps import SERVICE
from tests.support.reader import GITHUB, IFRAME
from widget.auth import attempts
from widget.auth.providers import Profile


@pytest.fixture
def github_app(make_app) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    with app.app_context():
        yield app


@pytest.fixture
def signed_in(client) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """sign_in(site, profile_url=None): an access token of a GitHub reader on `site`."""

    def sign_in(site, profile_url: str | None = None) -> str:  # type: ignore[no-untyped-def]
        verifier = secrets.token_urlsafe(32)
        challenge = urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        started = client.post(
            "/api/v1/auth/attempts",
            json={"site": site.key, "provider": "github", "challenge": challenge.decode()},
            headers=IFRAME,
        ).json
        popup = {"attempt": started["attempt"], "start_token": started["start_token"]}
        client.post("/auth/start", data=popup, headers={"Origin": SERVICE})
        attempts.complete(started["attempt"], Profile(
            provider="github", subject="4242", name="Octo Cat", avatar_url=None,
            profile_url=profile_url, email="octo@example.com", email_verified=True,
        ))  # fmt: skip
        redeemed = client.post(f"/api/v1/auth/attempts/{started['attempt']}/redeem",
                               json={"verifier": verifier}, headers=IFRAME)  # fmt: skip
        return redeemed.json["access_token"]

    return sign_in
