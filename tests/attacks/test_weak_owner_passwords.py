"""An owner's password that a guesser tries in the first million (a leaked-list favourite, a
keyboard walk, their own email) is refused wherever a password is chosen, so the per-account
wait (test_credential_stuffing) is not the only thing between a botnet and a dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.dashboard import PASSWORD, csrf_token, make_owner, signed_in
from widget import owners
from widget.errors import Rejected
from widget.extensions import db
from widget.models import Owner

WEAK = [
    "password1234",  # on every leaked list
    "qwertyuiop123",  # a keyboard walk
    "iloveyou2024!",
    "aaaaaaaaaaaaaaaa",
    "owner@example.com",  # their own email
]
TOO_SHORT = "Kx8#mq2!Lp4"  # 11 characters, random, still too short


def test_the_command_line_refuses_a_guessable_or_short_password(app):
    for password in [*WEAK, TOO_SHORT]:
        result = app.test_cli_runner().invoke(
            args=["owners", "create", "owner@example.com", "--password-stdin"],
            input=password + "\n",
        )
        assert result.exit_code != 0, password
        assert "harder to guess" in result.output or "at least 12 characters" in result.output
    assert db.session.scalar(select(Owner)) is None


def test_changing_to_a_guessable_password_is_refused(client, site):
    dashboard = signed_in(client, site)
    for password in WEAK:
        response = dashboard.post(
            "/dashboard/account/password",
            data={"current": PASSWORD, "password": password, "confirm": password},
        )
        assert response.status_code == 400, password
        assert "harder to guess" in response.get_data(as_text=True), password
    assert owners.authenticate("owner@example.com", PASSWORD) is not None


def test_an_invitation_refuses_a_guessable_password(client, site):
    inviter = make_owner("ann@example.com", sites=[site])
    link = f"/dashboard/invites/{owners.invite(site, 'bo@example.com', inviter).token}"
    page = client.get(link)
    response = client.post(
        link,
        data={"csrf_token": csrf_token(page), "password": "password1234",
              "confirm": "password1234"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "harder to guess" in response.get_data(as_text=True)
    assert owners.find_owner("bo@example.com") is None


def test_the_service_itself_refuses_it_whoever_calls(app):
    owner = make_owner()
    for password in [*WEAK, TOO_SHORT]:
        with pytest.raises(Rejected) as refused:
            owners.set_password(owner, password)
        assert refused.value.field == "password"


def test_a_long_unguessable_passphrase_is_accepted(app):
    owner = make_owner()
    owners.set_password(owner, "lantern orbit cactus velvet")
    assert owners.authenticate("owner@example.com", "lantern orbit cactus velvet") is owner
