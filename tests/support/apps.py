"""The app as the unit tests build it: the settings it starts from, and closing it when its
test ends."""

from __future__ import annotations

from typing import Any

from flask import Flask

from widget.extensions import db

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
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
