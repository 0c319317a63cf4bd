"""Several app servers on one database (and one Redis): every comment stored once, counts right,
caches coherent. And SQLite under concurrent posting: no lost comment, no "database is locked"."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, text

from tests import servers
from tests.conftest import PG_URL, _postgres_schema_url

REDIS_URL = os.environ.get("WIDGET_TEST_REDIS_URL", "")
PAGES = [f"{servers.BLOG}/post-{n}/" for n in range(5)]


def thread_page(url: str, key: str, page: str) -> requests.Response:
    return requests.get(f"{url}/embed/thread", params={"site": key, "url": page}, timeout=30)


def heading_count(response: requests.Response) -> int:
    found = re.search(r'id="comments-title">([\d,]+) comment', response.text)
    assert found, response.text[:500]
    return int(found[1].replace(",", ""))


def stored(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*), count(DISTINCT body) FROM comment")).one()
    engine.dispose()
    return rows[0], rows[1]


@pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="needs WIDGET_TEST_DATABASE_URL and "
                    "WIDGET_TEST_REDIS_URL (.ci/run sets both)")  # fmt: skip
def test_two_servers_on_one_postgresql_and_one_redis(tmp_path):
    for database in _postgres_schema_url():  # a schema of its own, dropped afterwards
        env = servers.service_env(database, tmp_path, WIDGET_REDIS_URL=REDIS_URL,
                                  WIDGET_RATELIMIT_POST="100000 per minute")  # fmt: skip
        key = servers.create_site(env)
        with (
            servers.gunicorn(env, tmp_path / "a.log") as a,
            servers.gunicorn(env, tmp_path / "b.log") as b,
            ThreadPoolExecutor(max_workers=20) as clients,
        ):
            # 2,000 comments from 20 clients, half through each server, on five pages.
            def post(n: int, key: str = key) -> int:
                return servers.post((a, b)[n % 2].url, key, n, PAGES[n % len(PAGES)])

            answers = list(clients.map(post, range(2000)))
            assert answers.count(201) == 2000
            assert stored(database) == (2000, 2000)  # every comment once, none lost

            counts = requests.get(f"{b.url}/api/v1/counts", params={"site": key, "url": PAGES},
                                  timeout=30).json()["counts"]  # fmt: skip
            assert counts == dict.fromkeys(PAGES, 400)

            # Every worker of both servers shows the same current page (and keeps it in its
            # memory); a comment through one server shows on every worker of the other.
            first = [
                *pages_by_every_worker(a, key, PAGES[0]),
                *pages_by_every_worker(b, key, PAGES[0]),
            ]
            assert {answer.headers["ETag"] for answer in first} == {first[0].headers["ETag"]}
            assert {heading_count(answer) for answer in first} == {400}
            assert servers.post(a.url, key, 5000, PAGES[0]) == 201
            after = pages_by_every_worker(b, key, PAGES[0])
            assert first[0].headers["ETag"] not in {answer.headers["ETag"] for answer in after}
            assert {heading_count(answer) for answer in after} == {401}


def pages_by_every_worker(server: servers.Server, key: str, page: str) -> list[requests.Response]:
    """The thread page asked for over new connections until both workers have answered it."""
    answers: list[requests.Response] = []
    start = len(server.log.read_text().splitlines())
    while len({line.split()[0] for line in server.log.read_text().splitlines()[start:]}) < 2:
        assert len(answers) < 200, "one worker answered every request"
        answers.append(thread_page(server.url, key, page))
    return answers


def test_every_worker_shows_a_new_comment_at_once_on_sqlite(tmp_path):
    """Each worker keeps the pages it served in its memory; a comment posted through either
    worker shows on both at the very next request."""
    database = f"sqlite:///{tmp_path / 'widget.db'}"
    env = servers.service_env(database, tmp_path, WIDGET_RATELIMIT_ENABLED="0")
    key = servers.create_site(env)
    page = f"{servers.BLOG}/kept/"
    with servers.gunicorn(env, tmp_path / "access.log", workers=2) as server:
        for n in range(1, 4):
            assert servers.post(server.url, key, n, page) == 201
            answers = pages_by_every_worker(server, key, page) + pages_by_every_worker(
                server, key, page
            )
            assert {heading_count(answer) for answer in answers} == {n}
            assert len({answer.headers["ETag"] for answer in answers}) == 1


def test_concurrent_posts_on_sqlite_lose_nothing(tmp_path):
    database = f"sqlite:///{tmp_path / 'widget.db'}"
    env = servers.service_env(database, tmp_path, WIDGET_RATELIMIT_ENABLED="0")
    key = servers.create_site(env)
    with (
        servers.gunicorn(env, tmp_path / "access.log", workers=2) as server,
        ThreadPoolExecutor(max_workers=10) as clients,
    ):
        answers = list(clients.map(lambda n: servers.post(server.url, key, n), range(200)))
        count = heading_count(thread_page(server.url, key, f"{servers.BLOG}/p/"))
    assert answers.count(201) == 200, sorted(set(answers))
    assert stored(database) == (200, 200)
    assert count == 200
