"""Rate limits on posting and signing in: per address, per account, shared across workers."""

from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support import servers
from tests.support.blog import guest
from tests.support.reader import GITHUB, IFRAME, Reader, new_verifier
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


def behind_proxy(reader: str) -> dict[str, dict[str, str]]:
    """A request as our nginx passes it on: from the proxy's address, naming the reader's."""
    return {"environ_base": {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": reader}}


def test_behind_a_proxy_each_reader_has_their_own_count(app, make_app, site):
    limits = {name: value for name, value in app.config.items() if name.startswith("WIDGET_RATE")}
    proxied = make_app(create_schema=False, WIDGET_PROXY_COUNT=1, **limits)
    client = proxied.test_client()

    def post(reader: str) -> int:
        headers = {"X-Requested-With": "XMLHttpRequest", "Origin": "https://comments.example.net"}
        answer = client.post("/api/v1/comments", json=guest(site), headers=headers,
                             **behind_proxy(reader))  # fmt: skip
        return answer.status_code

    assert [post("198.51.100.7") for _ in range(3)] == [201, 201, 429]
    assert post("198.51.100.8") == 201


def test_without_a_proxy_a_forwarded_for_header_is_not_believed(site, post_json):
    for n in range(2):
        assert post_json(guest(site), **behind_proxy(f"198.51.100.{n}")).status_code == 201
    assert post_json(guest(site), **behind_proxy("198.51.100.99")).status_code == 429


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


@pytest.mark.skipif(not REDIS_URL, reason="WIDGET_TEST_REDIS_URL is not set (.ci/run sets it)")
def test_the_limit_holds_across_two_gunicorn_workers_sharing_redis(tmp_path):
    database = f"sqlite:///{tmp_path / 'widget.db'}"
    limits = {"WIDGET_REDIS_URL": REDIS_URL, "WIDGET_RATELIMIT_POST": "5 per minute"}
    env = servers.service_env(database, tmp_path, **limits)
    key = servers.create_site(env)
    # Concurrent posts, each on a new connection: while one worker is busy the other accepts,
    # so both count against the one limit.
    with (
        servers.gunicorn(env, tmp_path / "access.log") as server,
        ThreadPoolExecutor(max_workers=6) as pool,
    ):
        answers = list(pool.map(lambda n: servers.post(server.url, key, n), range(12)))
    assert len(server.answered_by("201 429")) == 2, "both workers should have answered posts"
    assert answers.count(201) == 5
    assert answers.count(429) == 7
