"""What `gunicorn wsgi:app` does with no settings but the documented ones, attacked:

- a page on a host of the attacker's (DNS pointed at the service, any Host header) posts with
  its own Origin, which equals the request's Host: the Origin check trusts only
  WIDGET_PUBLIC_URL;
- a first visit over plain http is open to a downgrade: HSTS when the public URL is https;
- another local user reads the database or the secret key: the instance folder is 0700 and the
  SQLite files 0600, whatever the umask;
- /demo/ (a page anyone may post to) is served only when WIDGET_DEMO turns it on.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.blog import guest
from widget import create_app
from widget.extensions import db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOSTILE = "http://evil.example"
IFRAME = {"X-Requested-With": "XMLHttpRequest"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- Origin: WIDGET_PUBLIC_URL, never the Host header -------------------------------------


def test_a_post_whose_origin_matches_a_forged_host_is_refused(client, site):
    response = client.post(
        "/api/v1/comments", json=guest(site), base_url=HOSTILE,
        headers=IFRAME | {"Origin": HOSTILE},
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden_origin"


def test_a_sign_in_start_whose_origin_matches_a_forged_host_is_refused(client, site):
    response = client.post(
        "/auth/start", data={"attempt": "x", "start_token": "y"}, base_url=HOSTILE,
        headers={"Origin": HOSTILE},
    )  # fmt: skip
    assert response.status_code == 403


def test_the_public_urls_origin_is_still_accepted(client, site):
    response = client.post(
        "/api/v1/comments", json=guest(site), base_url=HOSTILE,
        headers=IFRAME | {"Origin": "https://comments.example.net"},
    )  # fmt: skip
    assert response.status_code == 201


# --- HSTS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/embed.js", "/api/v1/openapi.json", "/dashboard/login", "/x"])
def test_an_https_service_sends_hsts_on_every_response(client, path):
    assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_plain_http_service_sends_no_hsts(make_app):
    app = make_app(WIDGET_PUBLIC_URL="http://127.0.0.1:5000")
    assert "Strict-Transport-Security" not in app.test_client().get("/embed.js").headers


# --- private files ------------------------------------------------------------------------


@pytest.fixture
def bare_env(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """No database URL, no secret key: the defaults, under a fresh instance folder."""
    for name in ("WIDGET_DATABASE_URL", "WIDGET_SECRET_KEY", "WIDGET_DEMO", "WIDGET_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "deep" / "instance"
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(instance))
    return instance


def test_db_upgrade_under_a_permissive_umask_creates_private_files(bare_env):
    subprocess.run([BIN / "widget", "db", "upgrade"], cwd=ROOT, env=os.environ.copy(),
                   umask=0, check=True, capture_output=True, timeout=120)  # fmt: skip
    assert mode(bare_env) == 0o700
    assert mode(bare_env / "widget.db") == 0o600
    assert mode(bare_env / "secret_key") == 0o600


def test_the_databases_wal_and_shm_files_are_private_too(bare_env):
    old = os.umask(0)
    try:
        app = create_app({"TESTING": True})
        with app.app_context():
            db.create_all()
            db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
            db.session.commit()
            with db.engine.connect() as reading:  # while a connection is open, both exist
                reading.execute(text("SELECT count(*) FROM probe"))
                assert mode(bare_env) == 0o700
                for name in ("widget.db", "widget.db-wal", "widget.db-shm"):
                    assert mode(bare_env / name) == 0o600, name
            db.engine.dispose()
    finally:
        os.umask(old)


def test_the_rate_limit_counts_file_is_private(bare_env):
    old = os.umask(0)
    try:
        app = create_app({"TESTING": True})
        with app.app_context():
            db.create_all()
            # A rate-limited endpoint: its count is written to the file.
            app.test_client().post("/api/v1/comments", json={}, headers=IFRAME)
            for name in ("ratelimits.db", "ratelimits.db-wal", "ratelimits.db-shm"):
                assert mode(bare_env / name) == 0o600, name
            db.engine.dispose()
    finally:
        os.umask(old)


# --- the demo -----------------------------------------------------------------------------


def test_the_demo_is_not_served_by_default(bare_env):
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/demo/").status_code == 404


def test_the_demo_is_served_when_switched_on(bare_env, monkeypatch):
    monkeypatch.setenv("WIDGET_DEMO", "1")
    app = create_app({"TESTING": True})
    with app.app_context():
        db.create_all()
        app.test_cli_runner().invoke(args=["demo"])
        assert app.test_client().get("/demo/").status_code == 200
        db.engine.dispose()


def test_make_run_switches_the_demo_on():
    # `make run` is the demo's command: its target exports WIDGET_DEMO=1 to what it runs.
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export WIDGET_DEMO ?= 1" in makefile
