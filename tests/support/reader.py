"""A reader signing in through the iframe and the popup, over the HTTP API, with the
provider's answer stood in for (tests/e2e signs in at a real OpenID Connect provider)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.apps import SERVICE
from widget.auth import attempts
from widget.auth.profiles import Profile

if TYPE_CHECKING:
    from widget.models import Site

IFRAME = {"X-Requested-With": "XMLHttpRequest", "Origin": SERVICE}
GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}


def new_verifier() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def profile(subject: str = "4242", name: str = "Octo Cat") -> Profile:
    return Profile(
        provider="github", subject=subject, name=name, avatar_url=None,
        profile_url=f"https://github.com/{name.split()[0].lower()}",
        email="octo@example.com", email_verified=True,
    )  # fmt: skip


class Reader:
    """The iframe's side of a sign-in."""

    def __init__(self, client: FlaskClient, site: Site) -> None:
        self.client, self.site = client, site
        self.verifier, self.challenge = new_verifier()
        self.attempt = self.start_token = ""
        self.token = ""

    def create_attempt(self, provider: str = "github") -> TestResponse:
        response = self.client.post(
            "/api/v1/auth/attempts",
            json={"site": self.site.key, "provider": provider, "challenge": self.challenge},
            headers=IFRAME,
        )
        if response.status_code == 201:
            assert response.json is not None
            self.attempt = response.json["attempt"]
            self.start_token = response.json["start_token"]
        return response

    def open_popup(self, origin: str = SERVICE) -> TestResponse:
        return self.client.post(
            "/auth/start",
            data={"attempt": self.attempt, "start_token": self.start_token},
            headers={"Origin": origin},
        )

    def redeem(self, verifier: str | None = None) -> TestResponse:
        headers = IFRAME | ({"Authorization": f"Bearer {self.token}"} if self.token else {})
        response = self.client.post(
            f"/api/v1/auth/attempts/{self.attempt}/redeem",
            json={"verifier": verifier or self.verifier},
            headers=headers,
        )
        if response.status_code == 200 and response.json and response.json["status"] == "signed_in":
            self.token = response.json["access_token"]
        return response

    def sign_in(self, who: Profile | None = None) -> TestResponse:
        self.create_attempt()
        assert self.open_popup().status_code == 200
        attempts.complete(self.attempt, who or profile())
        return self.redeem()
