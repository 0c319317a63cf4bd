"""Inviting another owner to a site by email: a real SMTP server on 127.0.0.1 receives it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support.dashboard import PASSWORD, Dashboard, csrf_token, make_owner, signed_in
from widget import owners
from widget.extensions import db
from widget.models import Invite, utcnow

# --- invitations --------------------------------------------------------------------------


@pytest.fixture
def app(make_app, smtp):  # type: ignore[no-untyped-def]
    """The app, sending its mail to the test's SMTP server."""
    _, port = smtp
    app = make_app(
        WIDGET_SMTP_HOST="127.0.0.1",
        WIDGET_SMTP_PORT=port,
        WIDGET_SMTP_STARTTLS=False,
        WIDGET_MAIL_FROM="comments@example.net",
    )
    with app.app_context():
        yield app


def invite_link(text: str) -> str:
    for line in text.splitlines():
        if "/dashboard/invites/" in line:
            return line.strip().removeprefix("https://comments.example.net")
    raise AssertionError(f"no invitation link in {text!r}")


def test_an_invitation_is_emailed_and_makes_a_new_owner_who_chooses_a_password(
    app, client, make_site, smtp
):
    inbox, _ = smtp
    site = make_site(name="Garden notes")
    ann = signed_in(client, site, "ann@example.com")
    response = ann.post(
        f"/dashboard/sites/{site.id}/owners", data={"email": "bo@example.com", "role": "owner"}
    )
    assert response.status_code == 302
    assert inbox.arrived.wait(5)
    sender, recipients, message = inbox.messages[0]
    assert (sender, recipients) == ("comments@example.net", ["bo@example.com"])
    assert message["Subject"] == "You are invited to help run Garden notes"
    link = invite_link(message.get_content())

    bo = Dashboard(app.test_client())  # another browser
    page = bo.get(link)
    assert "Choose a password for" in page.get_data(as_text=True)
    accepted = bo.client.post(
        link, data={"csrf_token": csrf_token(page), "password": PASSWORD, "confirm": PASSWORD}
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == f"/dashboard/sites/{site.id}/"
    assert "Garden notes" in bo.text(f"/dashboard/sites/{site.id}/")
    assert owners.authenticate("bo@example.com", PASSWORD) is not None
    # The link works once.
    assert bo.get(link).status_code == 404


def test_an_invitation_adds_the_site_to_an_existing_owner(client, make_site):
    first, second = make_site(name="First"), make_site(name="Second")
    bo_owner = make_owner("bo@example.com", sites=[first])
    ann = signed_in(client, second, "ann@example.com")
    invited = owners.invite(second, "bo@example.com", owners.find_owner("ann@example.com"))
    ann.post("/dashboard/logout")
    bo = Dashboard(client)
    bo.sign_in("bo@example.com")
    response = bo.post(f"/dashboard/invites/{invited.token}")
    assert response.status_code == 302
    assert {s.name for s in owners.sites_of(bo_owner)} == {"First", "Second"}


def test_only_the_hash_of_an_invitation_token_is_stored(client, site):
    invited = owners.invite(site, "bo@example.com", make_owner("ann@example.com", sites=[site]))
    assert invited.token not in db.session.scalar(select(Invite)).token_hash


def test_an_expired_invitation_is_refused(client, site):
    invited = owners.invite(site, "bo@example.com", make_owner("ann@example.com", sites=[site]))
    invited.invite.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/dashboard/invites/{invited.token}").status_code == 404


def test_a_made_up_invitation_link_is_refused(client):
    assert client.get("/dashboard/invites/" + "x" * 43).status_code == 404


def test_when_the_mail_server_fails_the_owner_is_shown_the_link(app, client, site, smtp):
    app.config["WIDGET_SMTP_PORT"] = 9  # nothing listens there
    ann = signed_in(client, site)
    response = ann.post(
        f"/dashboard/sites/{site.id}/owners", data={"email": "bo@example.com", "role": "owner"}
    )
    page = response.get_data(as_text=True)
    assert "could not be sent" in page
    assert "https://comments.example.net/dashboard/invites/" in page
