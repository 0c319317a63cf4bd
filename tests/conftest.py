"""Fixtures: a database per test (an SQLite file, and a PostgreSQL schema when
WIDGET_TEST_DATABASE_URL is set; tests/support/databases.py says how they are reused), the
app, its test client, and small factories."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from tests.support import apps
from tests.support.blog import BLOG, PAGE
from tests.support.databases import (
    DATABASES,
    Database,
    SchemaPool,
    SqliteTemplate,
    postgres_database,
    sqlite_database,
)
from tests.support.reader import IFRAME
from tests.support.servers import free_port
from widget import create_app
from widget.comments.services import NewComment, Posted, post_comment
from widget.extensions import db
from widget.models import Site
from widget.sites import create_site


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_schemas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaPool]:
    pool = SchemaPool(tmp_path_factory.mktemp("postgres-schemas"))
    yield pool
    pool.close()


@pytest.fixture(params=DATABASES)
def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: SqliteTemplate,
    postgres_schemas: SchemaPool,
) -> Iterator[Database]:
    """This test's database, with no row. For a test that builds the app (`make_app`) the
    models' tables are there already; for others (real servers) it is empty, to migrate."""
    prepared = "make_app" in request.fixturenames
    if request.param == "sqlite":
        template = sqlite_template if prepared else None
        with sqlite_database(tmp_path / "widget.db", template) as database:
            yield database
    else:
        with postgres_database(postgres_schemas, prepared) as database:
            yield database


@pytest.fixture
def database_url(database: Database) -> str:
    return database.url


@pytest.fixture
def make_app(database: Database, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Build an app on this test's database, with extra settings; the schema is created, or
    with `create_schema=False` left to the test (an empty database, if it is the first app)."""
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("WIDGET_SECRET_KEY", raising=False)
    built: list[Flask] = []

    def build(create_schema: bool = True, **overrides: Any) -> Flask:
        if not create_schema and not built:
            database.clear()
        app = create_app(apps.settings(database.url, **overrides))
        if create_schema and not database.prepared:
            with app.app_context():
                db.create_all()
        built.append(app)
        return app

    yield build
    for app in built:
        apps.close(app)


@pytest.fixture
def app(make_app) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_site(app: Flask):  # type: ignore[no-untyped-def]
    def make(origins: list[str] | None = None, moderation: str = "off", **attrs: Any) -> Site:
        site = create_site(attrs.pop("name", "Blog"), origins or [BLOG], moderation)
        for name, value in attrs.items():
            setattr(site, name, value)
        db.session.commit()
        return site

    return make


@pytest.fixture
def site(make_site) -> Site:  # type: ignore[no-untyped-def]
    return make_site()


@pytest.fixture
def make_comment(app: Flask):  # type: ignore[no-untyped-def]
    counter = iter(range(1, 1_000_000))

    def make(site: Site, url: str = PAGE, **fields: Any) -> Posted:
        n = next(counter)
        values = {
            "site": site.key,
            "url": url,
            "title": "Hello",
            "body": f"Comment number {n}",
            "author_name": f"Reader {n}",
            "author_email": f"reader{n}@example.com",
        } | fields
        return post_comment(NewComment(**values))

    return make


@pytest.fixture
def post_json(client: FlaskClient):  # type: ignore[no-untyped-def]
    """POST /api/v1/comments as the iframe does."""

    def post(payload: Any, headers: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        return client.post(
            "/api/v1/comments", json=payload, headers=IFRAME | (headers or {}), **kwargs
        )

    return post


class Inbox:
    """What a real SMTP server on 127.0.0.1 was sent: (from, to, message) each."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, message))
        self.arrived.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    """A real SMTP server on 127.0.0.1 that keeps what it is sent."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
