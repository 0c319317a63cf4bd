"""A copied dashboard session cookie (a stolen laptop, a shared computer, a leaked log) must
stop working once its owner signs out, changes their password elsewhere, signs out everywhere,
or is removed: the session lives on the server, and the cookie only names it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.dashboard import PASSWORD, Dashboard, make_owner, signed_in
from widget.models import Site

NEW_PASSWORD = "a fresh and private passphrase"


def copy_of_cookie(source: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding the very session cookie `source` holds."""
    cookie = source.get_cookie("session")
    assert cookie is not None, "signing in set no session cookie"
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def session_rows(page: str) -> dict[str, str]:
    """The account page's "where you are signed in" rows: sign-out URL → the row's text."""
    rows = re.findall(r'<li><span>(.*?)action="(/dashboard/account/sessions/\d+/sign-out)"',
                      page, re.S)  # fmt: skip
    return {url: text for text, url in rows}


def signed_in_as_owner(client: FlaskClient) -> bool:
    return client.get("/dashboard/account").status_code == 200


def test_a_copied_cookie_replayed_after_signing_out_is_sent_to_sign_in(app, client, site):
    dashboard = signed_in(client, site)
    thief = copy_of_cookie(client, app)
    assert signed_in_as_owner(thief)  # the copy works while the session lives

    assert dashboard.post("/dashboard/logout").status_code == 302

    replayed = thief.get("/dashboard/")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/dashboard/login")
    assert not signed_in_as_owner(thief)


def test_a_copied_cookie_replayed_after_a_password_change_elsewhere_is_sent_to_sign_in(
    app, client, site
):
    signed_in(client, site)
    thief = copy_of_cookie(client, app)
    elsewhere = Dashboard(app.test_client())
    assert elsewhere.sign_in("owner@example.com").status_code == 302

    changed = elsewhere.post(
        "/dashboard/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302

    assert not signed_in_as_owner(thief)
    assert not signed_in_as_owner(client)  # every other session, not only the copied one
    assert signed_in_as_owner(elsewhere.client)  # the one that changed it stays signed in


def test_a_copied_cookie_replayed_after_sign_out_everywhere_is_sent_to_sign_in(app, client, site):
    signed_in(client, site)
    thief = copy_of_cookie(client, app)
    other = Dashboard(app.test_client())
    other.sign_in("owner@example.com")

    assert other.post("/dashboard/account/sessions/sign-out-everywhere").status_code == 302

    assert not signed_in_as_owner(thief)
    assert not signed_in_as_owner(client)
    assert not signed_in_as_owner(other.client)


def test_a_copied_cookie_replayed_after_the_owner_is_removed_opens_no_account(
    app, client, site: Site
):
    signed_in(client, site)
    thief = copy_of_cookie(client, app)

    removed = app.test_cli_runner().invoke(args=["owners", "remove", "owner@example.com", "--yes"])
    assert removed.exit_code == 0, removed.output
    # Whoever is created next may get the removed owner's row id (SQLite reuses the highest):
    # a cookie that named an id would now open their account.
    make_owner("newcomer@example.com", sites=[site])

    assert not signed_in_as_owner(thief)
    assert not signed_in_as_owner(client)


def test_an_owner_sees_where_they_are_signed_in_and_signs_one_out(app, client, site):
    signed_in(client, site)
    laptop = Dashboard(app.test_client())
    laptop.client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
    )
    laptop.sign_in("owner@example.com")

    page = Dashboard(client).text("/dashboard/account")
    assert "Where you are signed in" in page
    assert "Firefox on Linux" in page
    assert "This browser" in page

    rows = session_rows(page)
    assert len(rows) == 2
    revoke = next(url for url, text in rows.items() if "Firefox on Linux" in text)
    assert "This browser" not in rows[revoke]
    assert Dashboard(client).post(revoke).status_code == 302
    assert not signed_in_as_owner(laptop.client)
    assert signed_in_as_owner(client)


def test_one_owner_cannot_revoke_another_owners_session(app, client, site):
    ann = signed_in(client, site)
    make_owner("bo@example.com", sites=[site])
    bo = Dashboard(app.test_client())
    bo.sign_in("bo@example.com")
    page = ann.text("/dashboard/account")
    own_ids = {url.split("/")[-2] for url in session_rows(page)}
    for guess in range(1, 10):
        if str(guess) not in own_ids:
            ann.post(f"/dashboard/account/sessions/{guess}/sign-out")
    assert signed_in_as_owner(bo.client)
