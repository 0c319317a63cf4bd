"""Several app servers on one database (and one Redis): every comment stored once, counts right,
caches coherent. And SQLite under concurrent posting: no lost comment, no "database is locked"."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from itsdangerous import URLSafeSerializer
from sqlalchemy import create_engine, text

from tests.support import servers
from tests.support.databases import PG_URL, new_postgres_schema
from tests.support.reader import IFRAME
from widget.extensions import db

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
    for database in new_postgres_schema():  # a schema of its own, dropped afterwards
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


class SlowAkismet(BaseHTTPRequestHandler):
    """Akismet's comment-check, which keeps a comment by "Slow" waiting until told to answer."""

    arrived = threading.Event()
    answer = threading.Event()

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if form["comment_author"] == ["Slow"]:
            SlowAkismet.arrived.set()
            SlowAkismet.answer.wait(60)
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"false")


def test_a_slow_spam_check_holds_up_no_other_comment_on_sqlite(tmp_path):
    """Akismet's answer can take seconds; meanwhile the database's one write lock must not be
    held, or every other comment waits (and after busy_timeout fails)."""
    akismet = ThreadingHTTPServer(("127.0.0.1", 0), SlowAkismet)
    threading.Thread(target=akismet.serve_forever, daemon=True).start()
    SlowAkismet.arrived.clear()
    SlowAkismet.answer.clear()
    database = f"sqlite:///{tmp_path / 'widget.db'}"
    checks = {"WIDGET_SPAM_CHECKS": "1", "WIDGET_AKISMET_KEY": "key",
              "WIDGET_AKISMET_URL": f"http://127.0.0.1:{akismet.server_port}"}  # fmt: skip
    env = servers.service_env(database, tmp_path, WIDGET_RATELIMIT_ENABLED="0", **checks)
    key = servers.create_site(env)
    token = URLSafeSerializer(env["WIDGET_SECRET_KEY"], salt="widget.comment-form")

    def from_the_form(url: str, name: str) -> int:
        payload = {"site": key, "url": f"{servers.BLOG}/p/", "body": f"By {name}",
                   "author_name": name, "author_email": "a@example.com", "homepage": "",
                   "form_token": token.dumps({"t": time.time() - 60,
                                              "n": secrets.token_urlsafe(16)})}  # fmt: skip
        headers = {"X-Requested-With": "XMLHttpRequest", "Connection": "close"}
        return requests.post(f"{url}/api/v1/comments", json=payload, headers=headers,
                             timeout=60).status_code  # fmt: skip

    try:
        with (
            servers.gunicorn(env, tmp_path / "access.log", workers=2) as server,
            ThreadPoolExecutor(max_workers=1) as background,
        ):
            slow = background.submit(from_the_form, server.url, "Slow")
            assert SlowAkismet.arrived.wait(30)
            try:  # the other worker takes this one, while Akismet still ponders the first
                assert from_the_form(server.url, "Quick") == 201
                assert stored(database) == (1, 1)  # not after the first (its check gives up)
            finally:
                SlowAkismet.answer.set()
            assert slow.result(timeout=60) == 201
    finally:
        akismet.shutdown()
        akismet.server_close()
    assert stored(database) == (2, 2)


def test_a_guests_page_view_never_waits_for_a_writer_on_sqlite(client, site, database_url):
    """Every page view asks for the reader's session (a POST); a guest's writes nothing, so it
    must not queue for SQLite's one write lock behind comments being written."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    key = site.key
    db.session.remove()  # (the request would share this test's open transaction otherwise)
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a comment being written, in another worker
    try:
        resumed = client.post("/api/v1/session/resume", json={"site": key}, headers=IFRAME)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert resumed.status_code == 200
    assert resumed.json["user"] is None and resumed.json["form_token"]
