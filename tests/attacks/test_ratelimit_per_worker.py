"""Rate limits multiplied by the worker count: without Redis, each gunicorn worker kept its own
counts, so `gunicorn -w 4` let one address post four times the limit it states.

The real server, several workers, no Redis: the stated limit holds, for `gunicorn wsgi:app -w 4`
and for the production command exactly as docs/install.md gives it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import servers

LIMIT = 5
POSTS = 16


@pytest.fixture
def env(tmp_path):  # type: ignore[no-untyped-def]
    database = f"sqlite:///{tmp_path / 'widget.db'}"
    env = servers.service_env(
        database, tmp_path / "instance", WIDGET_RATELIMIT_POST=f"{LIMIT} per minute"
    )
    env.pop("WIDGET_REDIS_URL", None)
    return env


def post_concurrently(server: servers.Server, key: str) -> list[int]:
    # Each post on a new connection, several at once: every worker takes some.
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda n: servers.post(server.url, key, n), range(POSTS)))


def test_four_sync_workers_without_redis_allow_the_stated_limit_not_four_times_it(env, tmp_path):
    key = servers.create_site(env)
    with servers.gunicorn(env, tmp_path / "access.log", workers=4) as server:
        answers = post_concurrently(server, key)
    assert len(server.answered_by("201 429")) >= 2, "several workers should have taken posts"
    assert answers.count(201) == LIMIT, answers
    assert answers.count(429) == POSTS - LIMIT


def test_the_documented_production_command_runs_threaded_and_holds_the_limit(env, tmp_path):
    workers, options = servers.documented_gunicorn()
    key = servers.create_site(env)
    with servers.gunicorn(env, tmp_path / "access.log", workers, options) as server:
        answers = post_concurrently(server, key)
    assert answers.count(201) == LIMIT, answers
    assert answers.count(429) == POSTS - LIMIT
