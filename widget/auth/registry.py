"""Which sign-in providers this service has, and which a site offers."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app

from ..extensions import oauth
from ..models import Site
from .providers import Provider, configured_providers, register_providers

KEY = "widget.providers"


def init_app(app: Flask) -> None:
    providers = configured_providers(app.config)
    app.extensions[KEY] = providers
    oauth.init_app(app)
    register_providers(oauth, providers)


def all_providers() -> dict[str, Provider]:
    providers: dict[str, Provider] = current_app.extensions[KEY]
    return providers


def offered(site: Site) -> list[Provider]:
    """Every configured provider the site's owner has not turned off, in display order."""
    disabled = set(site.disabled_providers or [])
    return [p for name, p in all_providers().items() if name not in disabled]


def turned_off(offered: Iterable[str]) -> list[str]:
    """The configured providers a site does not offer: what it stores (`Site.disabled_providers`),
    so that a provider configured later is offered by default."""
    kept = set(offered)
    return [name for name in all_providers() if name not in kept]
