"""A self-hosted, embeddable comment service."""

from __future__ import annotations

import os
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, config, headers, ratelimits, templating
from .api.views import bp as api_bp
from .auth import registry
from .auth.avatar_views import bp as avatars_bp
from .auth.providers import provider_settings_from_env
from .auth.views import api as auth_api_bp
from .auth.views import bp as auth_bp
from .cli import register
from .dashboard import bp as dashboard_bp
from .demo.views import bp as demo_bp
from .embed import hot_pages, page_cache, versions  # noqa: F401  (versions: its hook)
from .embed.views import bp as embed_bp
from .extensions import compress, csrf, db, migrate
from .feeds.views import bp as feeds_bp
from .notify import outbox, receivers  # noqa: F401  (receivers: its signal handlers)
from .notify.views import bp as notify_bp
from .spam_filter import learning  # noqa: F401  (its receiver of owners' decisions)
from .transactions import begin_writes_immediately
from .uploads import UploadRequest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and error handlers."""
    app = Flask(
        __name__,
        static_folder=None,
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=config.instance_folder(os.path.join(ROOT, "instance")),
    )
    app.request_class = UploadRequest
    config.private_instance(app.instance_path)
    app.config.update(config.load(app.instance_path) | provider_settings_from_env(os.environ))
    app.config.update(overrides or {})
    config.private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    db.init_app(app)
    begin_writes_immediately(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    csrf.init_app(app)

    registry.init_app(app)
    ratelimits.init_app(app)
    # The iframe, the API and the sign-in start share no session with the reader's other
    # windows; they check Origin instead of a CSRF token. Feeds only read.
    # The links in readers' emails carry their own token, and RFC 8058's one-click unsubscribe
    # comes from a mail provider's servers, with no session at all.
    for blueprint in (api_bp, auth_api_bp, auth_bp, embed_bp, avatars_bp, notify_bp, feeds_bp):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    # The owners' dashboard is first-party: the ordinary session and a CSRF token on every form.
    app.register_blueprint(dashboard_bp)
    if app.config["WIDGET_DEMO"]:
        app.register_blueprint(demo_bp)

    assets.init_app(app)
    templating.init_app(app)
    page_cache.init_app(app)
    compress.init_app(app)
    headers.init_app(app)
    if proxies := app.config["WIDGET_PROXY_COUNT"]:
        # The client's address and scheme as the operator's own proxies saw them; a header
        # set by anyone else is not believed (no proxy count, no belief).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    hot_pages.init_app(app)  # last: in front of everything above
    outbox.start_worker_thread(app)

    register(app)
    return app


@click.group(
    cls=FlaskGroup, create_app=create_app, add_default_commands=True, add_version_option=False
)
def main() -> None:
    """Manage the comment service: `widget db upgrade`, `widget sites create`, …"""
