"""An owner's browser on the dashboard, for the dashboard's tests: it signs in and sends each
form with the CSRF token the pages carry, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from widget import owners
from widget.models import Owner, Site

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def make_owner(
    email: str = "owner@example.com", *, sites: tuple[Site, ...] | list[Site] = (),
    admin: bool = False, name: str = "",
) -> Owner:  # fmt: skip
    return owners.create_owner(email, PASSWORD, sites=sites, admin=admin, name=name)


def csrf_token(page: TestResponse) -> str:
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, "the page carries no CSRF token"
    return match[1]


class Dashboard:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token = ""

    def sign_in(self, email: str, password: str = PASSWORD, next: str = "") -> TestResponse:
        token = csrf_token(self.client.get("/dashboard/login"))
        self._token = ""  # signing in starts a new session, with a new token
        return self.client.post(
            "/dashboard/login",
            data={"csrf_token": token, "email": email, "password": password, "next": next},
        )

    def token(self) -> str:
        if not self._token:
            page = self.client.get("/dashboard/login")
            if page.status_code == 302:  # signed in: any page's sign-out form has one
                page = self.client.get("/dashboard/account")
            self._token = csrf_token(page)
        return self._token

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.token()} | (data or {}), **kwargs)

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


def signed_in(client: FlaskClient, site: Site, email: str = "owner@example.com") -> Dashboard:
    """An owner of `site`, signed in."""
    make_owner(email, sites=[site])
    dashboard = Dashboard(client)
    assert dashboard.sign_in(email).status_code == 302
    return dashboard
