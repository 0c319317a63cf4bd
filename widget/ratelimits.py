"""Rate limits: how often one address, or one signed-in account, may post or try to sign in.

Counts live in Redis when WIDGET_REDIS_URL is set, so that every worker and server shares them;
otherwise in an SQLite file in the instance folder, shared by every worker and thread of this
machine (ratelimit_store.py): a limit is the limit whatever gunicorn's worker count.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter

from .ratelimit_store import storage_uri

TOO_FAST = "You are going a little fast. Please wait a moment and try again."


def client_address() -> str:
    # With WIDGET_PROXY_COUNT set, ProxyFix (create_app) has already put the real client here.
    return request.remote_addr or "unknown"


# Created unbound, so that views can decorate with it; init_app binds it to the app.
limiter = Limiter(key_func=client_address)


def init_app(app: Flask) -> None:
    """Flask-Limiter's settings follow ours (after any overrides), then it is bound."""
    app.config.update(
        RATELIMIT_ENABLED=app.config["WIDGET_RATELIMIT_ENABLED"],
        RATELIMIT_STORAGE_URI=app.config["WIDGET_REDIS_URL"] or storage_uri(app.instance_path),
        RATELIMIT_KEY_PREFIX=app.config["WIDGET_RATELIMIT_PREFIX"],
        RATELIMIT_HEADERS_ENABLED=True,
        # A Redis outage (or a counts file locked too long) must not take commenting down.
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    limiter.init_app(app)


def limit(name: str):  # type: ignore[no-untyped-def]
    """The configured limit, read at request time so tests and operators can change it."""
    return lambda: current_app.config[name]
