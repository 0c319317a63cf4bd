"""A site name with a newline or another control character: it would end up in the invitation
email's Subject header, where a newline starts a header of the attacker's choosing (or, in
Python's email package, raises and answers 500).

Refused with a clear message wherever a site is named (the CLI, the dashboard's new site and
its settings); and the mailer never builds a header from such text, even one already stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget.extensions import db
from widget.models import Invite, Site

HOSTILE_NAMES = [
    "Blog\nBcc: everyone@example.org",
    "Blog\r\nX-Injected: 1",
    "Blog\rX",
    "Blog\x00",
    "Blog\x1b[31m",
    "Blog\x85next line",  # NEL, a C1 control
    "Blog\u2028X",  # LINE SEPARATOR: str.splitlines() breaks here
    "Blog\u2029X",
]


@pytest.fixture
def app(make_app, smtp):  # type: ignore[no-untyped-def]
    _, port = smtp
    app = make_app(
        WIDGET_SMTP_HOST="127.0.0.1", WIDGET_SMTP_PORT=port, WIDGET_SMTP_STARTTLS=False,
        WIDGET_MAIL_FROM="comments@example.net",
    )  # fmt: skip
    with app.app_context():
        yield app


def site_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Site))


# Each entry point is tried with every hostile name in one app: an app, a database and a
# signed-in owner per name cost minutes of the suite.


def test_cli_refuses_site_names_with_control_characters(app):
    runner = app.test_cli_runner()
    for name in HOSTILE_NAMES:
        result = runner.invoke(
            args=["sites", "create", "--name", name, "--origin", "https://blog.example.com"]
        )
        assert result.exit_code != 0, repr(name)
        assert "--name" in result.output and "control character" in result.output, repr(name)
    assert site_count() == 0


def test_dashboard_refuses_new_sites_named_with_control_characters(client):
    make_owner("ann@example.com")
    dashboard = Dashboard(client)
    dashboard.sign_in("ann@example.com")
    for name in HOSTILE_NAMES:
        response = dashboard.post(
            "/dashboard/sites/new", data={"name": name, "origins": "https://blog.example.com"}
        )
        assert response.status_code in (200, 400), repr(name)
        assert "control character" in response.get_data(as_text=True), repr(name)
    assert site_count() == 0


def test_dashboard_refuses_renaming_a_site_with_control_characters(client, site):
    owner = signed_in(client, site)
    for name in HOSTILE_NAMES:
        form = {"name": name, "origins": "https://blog.example.com", "moderation": "off",
                "link_limit": "2", "guests_allowed": "y", "theme": "auto"}  # fmt: skip
        response = owner.post(f"/dashboard/sites/{site.id}/settings", data=form)
        assert response.status_code == 400, repr(name)
        assert "control character" in response.get_data(as_text=True), repr(name)
    db.session.expire_all()
    assert db.session.get(Site, site.id).name == "Blog"


def test_an_ordinary_name_with_emoji_and_accents_is_kept(client, site):
    name = "Café 👨\u200d👩\u200d👧 notes"  # the joiner (U+200D) is a format character, not control
    form = {"name": name, "origins": "https://blog.example.com", "moderation": "off",
            "link_limit": "2", "guests_allowed": "y", "theme": "auto"}  # fmt: skip
    response = signed_in(client, site).post(f"/dashboard/sites/{site.id}/settings", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Site, site.id).name == name


def test_a_bad_name_already_stored_never_reaches_an_email_header(client, site, smtp):
    inbox, _ = smtp
    dashboard = signed_in(client, site)
    site.name = "Blog\nBcc: everyone@example.org"  # stored before names were checked
    db.session.commit()
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/owners", data={"email": "bo@example.com", "role": "owner"}
    )
    assert response.status_code == 200  # no mail sent: the link is shown to pass on instead
    page = response.get_data(as_text=True)
    assert "/dashboard/invites/" in page and "could not be sent" in page
    assert not inbox.arrived.wait(0.5)
    assert db.session.scalar(select(func.count()).select_from(Invite)) == 1
