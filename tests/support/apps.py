"""The app as the unit tests build it: the settings it starts from, the models' tables, and
closing it when its test ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from widget import create_app
from widget.extensions import db
from widget.notify.outbox import stop_worker_thread

SERVICE = "https://comments.example.net"


def settings(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WIDGET_PUBLIC_URL": SERVICE,
        "WIDGET_RATELIMIT_ENABLED": False,
        # The widget form's spam checks have tests of their own (test_spam.py).
        "WIDGET_SPAM_CHECKS": False,
    } | overrides


def close(app: Flask) -> None:
    """Stop what the app runs beside requests, and close its database connections."""
    if (hot := app.extensions.get("widget.hot_pages")) is not None:
        hot.close()
    stop_worker_thread(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def create_tables(database_url: str, instance: Path) -> None:
    """The models' tables in the database at `database_url`, as `db.create_all()` makes them
    for a test's app; `instance`: the app's instance folder meanwhile."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WIDGET_INSTANCE_PATH", str(instance))
        env.delenv("WIDGET_SECRET_KEY", raising=False)
        app = create_app(settings(database_url))
    try:
        with app.app_context():
            db.create_all()
    finally:
        close(app)
