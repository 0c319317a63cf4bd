"""Guessing an owner's password from many addresses at once (credential stuffing, a botnet):
the per-address rate limit never trips, so the account itself must make each guess wait."""

from __future__ import annotations

import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import text

from tests.support import servers
from tests.support.dashboard import PASSWORD, Dashboard, make_owner
from widget.extensions import db
from widget.models import as_utc, utcnow

WAITING = "Too many failed sign-ins for this account"
FREE_FAILURES = 5  # what a person mistyping gets before any wait


def from_address(app, n: int) -> Dashboard:  # type: ignore[no-untyped-def]
    """A browser of the botnet: its own client address, as the operator's proxy reports it."""
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.{n // 250}.{n % 250 + 1}"
    return Dashboard(client)


def guess(app, n: int, password: str, email: str = "ann@example.com"):  # type: ignore[no-untyped-def]
    return from_address(app, n).sign_in(email, password)


def test_guesses_from_many_addresses_back_off_then_even_the_right_password_waits(
    make_app, make_site
):
    # Rate limits on, as in production, behind one proxy that reports each bot's address.
    app = make_app(WIDGET_RATELIMIT_ENABLED=True, WIDGET_PROXY_COUNT=1)
    with app.app_context():
        make_owner("ann@example.com", sites=[make_site()])
        answers = [guess(app, n, f"guess number {n:04}!") for n in range(12)]
        assert [a.status_code for a in answers[:5]] == [400] * 5  # a person mistyping: no wait
        assert {a.status_code for a in answers[5:]} == {429}
        assert all(WAITING in a.get_data(as_text=True) for a in answers[5:])

        right = guess(app, 99, PASSWORD)  # the owner's real password, from a fresh address
        assert right.status_code == 429
        assert WAITING in right.get_data(as_text=True)
        assert int(right.headers["Retry-After"]) > 0
        assert right.headers.get("Location") is None  # not signed in


def test_while_backing_off_every_password_gets_the_same_answer(make_app, make_site):
    app = make_app(WIDGET_PROXY_COUNT=1)
    with app.app_context():
        make_owner("ann@example.com", sites=[make_site()])
        for n in range(FREE_FAILURES):
            guess(app, n, f"wrong password {n}")
        wrong = guess(app, 50, "yet another wrong one")
        right = guess(app, 51, PASSWORD)
        assert (wrong.status_code, right.status_code) == (429, 429)
        assert _message(wrong) == _message(right)


def test_an_unknown_email_backs_off_exactly_like_an_owners(make_app, make_site):
    app = make_app(WIDGET_PROXY_COUNT=1)
    with app.app_context():
        make_owner("ann@example.com", sites=[make_site()])
        for email in ("ann@example.com", "nobody@example.com"):
            for n in range(FREE_FAILURES):
                guess(app, n, f"wrong password {n}", email)
        known = guess(app, 60, "wrong again", "ann@example.com")
        unknown = guess(app, 61, "wrong again", "nobody@example.com")
        assert known.status_code == unknown.status_code == 429
        assert _message(known) == _message(unknown)  # no hint of which email is an owner's


def test_each_failure_past_the_wait_doubles_it_and_success_starts_again(make_app, make_site):
    app = make_app(WIDGET_PROXY_COUNT=1)
    with app.app_context():
        make_owner("ann@example.com", sites=[make_site()])
        waits = []
        for n in range(FREE_FAILURES + 3):
            _let_the_wait_pass()
            guess(app, n, f"wrong password {n}")
            waits.append(_wait_left())
        expected = [0, 0, 0, 0, 60, 120, 240, 480]  # seconds, after each failure
        assert all(abs(w - e) <= 2 for w, e in zip(waits, expected, strict=True)), waits
        _let_the_wait_pass()
        assert guess(app, 90, PASSWORD).status_code == 302
        assert db.session.scalar(text("SELECT count(*) FROM login_throttle")) == 0


def test_a_burst_of_simultaneous_guesses_through_several_workers_gets_no_more_tries(
    database_url, tmp_path
):
    """Fired all at once, every guess would find "no wait yet" before any failure is counted:
    each attempt must hold its email's count until it has counted itself."""
    env = servers.service_env(database_url, tmp_path, WIDGET_PROXY_COUNT="1")
    servers.create_site(env)
    subprocess.run([servers.BIN / "widget", "owners", "create", "ann@example.com",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   cwd=servers.ROOT, check=True, capture_output=True, timeout=60)  # fmt: skip
    bots = 20
    ready = threading.Barrier(bots, timeout=60)
    with servers.gunicorn(env, tmp_path / "access.log", workers=2) as server:

        def bot(n: int) -> int:
            browser = requests.Session()
            browser.headers["X-Forwarded-For"] = f"203.0.113.{n + 1}"
            page = browser.get(f"{server.url}/dashboard/login", timeout=30).text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            assert token, page[:300]
            ready.wait()  # all at the same instant
            return browser.post(
                f"{server.url}/dashboard/login",
                data={"csrf_token": token[1], "email": "ann@example.com",
                      "password": f"guess number {n:04}!", "next": ""},
                allow_redirects=False, timeout=60,
            ).status_code  # fmt: skip

        with ThreadPoolExecutor(max_workers=bots) as pool:
            answers = list(pool.map(bot, range(bots)))
        assert len(server.answered_by("400 429")) == 2, "both workers took some guesses"
    assert answers.count(400) == FREE_FAILURES, answers  # checked, then counted
    assert answers.count(429) == bots - FREE_FAILURES  # the rest waited unchecked


def _message(response) -> str:  # type: ignore[no-untyped-def]
    text = response.get_data(as_text=True)
    start = text.index(WAITING)
    return text[start : text.index("<", start)]


def _let_the_wait_pass() -> None:
    db.session.execute(
        text("UPDATE login_throttle SET locked_until = :past WHERE locked_until IS NOT NULL"),
        {"past": datetime.now(UTC) - timedelta(seconds=1)},
    )
    db.session.commit()


def _wait_left() -> int:
    until = db.session.scalar(text("SELECT locked_until FROM login_throttle"))
    if until is None:
        return 0
    if isinstance(until, str):  # SQLite hands back text
        until = datetime.fromisoformat(until)
    return round((as_utc(until) - utcnow()).total_seconds())
