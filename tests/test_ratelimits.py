"""Rate limits on posting and signing in: per address, per account, shared across workers."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import guest
from tests.test_auth_flow import GITHUB, IFRAME, Reader, new_verifier
from widget.extensions import db
from widget.models import Comment

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(
        WIDGET_RATELIMIT_ENABLED=True,
        WIDGET_RATELIMIT_PREFIX=secrets.token_hex(6),  # counts of one test never reach another
        WIDGET_RATELIMIT_POST="2 per minute",
        WIDGET_RATELIMIT_POST_USER="3 per minute",
        WIDGET_RATELIMIT_SIGNIN="2 per minute",
        **GITHUB,
    )
    with app.app_context():
        yield app


def from_address(address: str) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_posting_too_often_from_one_address_gets_a_kind_429(site, post_json):
    assert post_json(guest(site)).status_code == 201
    assert post_json(guest(site)).status_code == 201
    refused = post_json(guest(site))
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert "wait a moment" in refused.json["error"]["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert stored() == 2


def test_another_address_has_its_own_count(site, post_json):
    for _ in range(2):
        post_json(guest(site), **from_address("198.51.100.1"))
    assert post_json(guest(site), **from_address("198.51.100.1")).status_code == 429
    assert post_json(guest(site), **from_address("198.51.100.2")).status_code == 201


def test_a_signed_in_account_is_limited_wherever_it_posts_from(client, site, post_json):
    token = Reader(client, site).sign_in().json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    answers = [
        post_json({"site": site.key, "url": guest(site)["url"], "body": f"Hi {n}"},
                  headers=headers, **from_address(f"203.0.113.{n}")).status_code
        for n in range(1, 5)
    ]  # fmt: skip
    assert answers == [201, 201, 201, 429]


def test_starting_sign_ins_is_limited_per_address(client, site):
    _, challenge = new_verifier()
    payload = {"site": site.key, "provider": "github", "challenge": challenge}
    answers = [
        client.post("/api/v1/auth/attempts", json=payload, headers=IFRAME).status_code
        for _ in range(3)
    ]
    assert answers == [201, 201, 429]


def test_rate_limits_can_be_switched_off(make_app, post_json):  # type: ignore[no-untyped-def]
    app = make_app(WIDGET_RATELIMIT_ENABLED=False, WIDGET_RATELIMIT_POST="1 per minute")
    with app.app_context():
        from widget.sites import create_site

        site = create_site("Off", ["https://blog.example.com"])
        client = app.test_client()
        answers = [
            client.post("/api/v1/comments", json=guest(site),
                        headers={"X-Requested-With": "XMLHttpRequest"}).status_code
            for _ in range(3)
        ]  # fmt: skip
    assert answers == [201, 201, 201]


# --- several workers sharing the count through Redis ---------------------------------------

REDIS_URL = os.environ.get("WIDGET_TEST_REDIS_URL", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not REDIS_URL, reason="WIDGET_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_the_limit_holds_across_two_gunicorn_workers_sharing_redis(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "WIDGET_DATABASE_URL": f"sqlite:///{tmp_path / 'widget.db'}",
        "WIDGET_INSTANCE_PATH": str(tmp_path),
        "WIDGET_SECRET_KEY": "test",
        "WIDGET_PUBLIC_URL": url,
        "WIDGET_REDIS_URL": REDIS_URL,
        "WIDGET_RATELIMIT_PREFIX": "t" + secrets.token_hex(6),
        "WIDGET_RATELIMIT_POST": "5 per minute",
        "WIDGET_DEMO": "0",
    }
    bin_dir = Path(sys.executable).parent
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 60}
    subprocess.run([bin_dir / "widget", "db", "upgrade"], check=True, **run)
    create = ["sites", "create", "--name", "B", "--origin", "https://blog.example.com", "--json"]
    created = subprocess.run([bin_dir / "widget", *create], check=True, **run)
    key = re.search(r'"key": "([^"]+)"', created.stdout)[1]  # type: ignore[index]
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [bin_dir / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_workers(url, log, count=2)
        # Concurrent posts, each on a new connection: while one worker is busy the other
        # accepts, so both count against the one limit.
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda n: post(url, key, n), range(12)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    posts = [line.split() for line in log.read_text().splitlines() if line.split()[1] in "201 429"]
    assert len({pid for pid, _ in posts}) == 2, "both workers should have answered posts"
    assert answers.count(201) == 5
    assert answers.count(429) == 7


def wait_for_workers(url: str, log: Path, count: int, seconds: float = 30) -> None:
    """Until `count` different workers have answered: the second one boots after the first."""
    deadline = time.monotonic() + seconds
    while True:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _: ping(url), range(8)))
        pids = {line.split()[0] for line in log.read_text().splitlines()} if log.exists() else set()
        if len(pids) >= count:
            return
        assert time.monotonic() < deadline, f"only {len(pids)} gunicorn worker(s) answered"
        time.sleep(0.2)


def ping(url: str) -> None:
    with contextlib.suppress(requests.ConnectionError):
        requests.get(f"{url}/embed.js", headers={"Connection": "close"}, timeout=2)


def post(url: str, key: str, n: int) -> int:
    payload = {"site": key, "url": "https://blog.example.com/p/", "body": f"Comment {n}",
               "author_name": "Ann", "author_email": "ann@example.com"}  # fmt: skip
    headers = {"X-Requested-With": "XMLHttpRequest", "Connection": "close"}
    response = requests.post(f"{url}/api/v1/comments", json=payload, headers=headers, timeout=10)
    return response.status_code
