"""Sign-in providers: one table of what each provider needs, and the settings that turn it on.

Adding a provider is one entry in `_TABLE` (plus a paragraph in docs/providers.md). An entry
holds the Authlib registration settings (its URLs may name a setting in braces, filled from the
config) and the function of profiles.py that turns the provider's answer into a `Profile`.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from authlib.integrations.flask_client import OAuth

from .profiles import (
    Profile,
    facebook_profile,
    github_profile,
    openid_profile,
    wordpress_profile,
    x_profile,
)


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    register_kwargs: dict[str, Any]
    fetch_profile: Callable[[Any, dict[str, Any]], Profile]


# --- The table ------------------------------------------------------------------------------

ProfileReader = Callable[[str, Any, dict[str, Any]], Profile]


@dataclass(frozen=True)
class _Entry:
    label: str
    # Authlib register() keywords besides the credentials; "{KEY}" is filled from config[KEY].
    endpoints: dict[str, str]
    client_kwargs: dict[str, str]
    read_profile: ProfileReader
    # A config key whose value, when set, replaces the label (the operator names their OP).
    label_key: str | None = None
    settings: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        keys = {
            key
            for template in self.endpoints.values()
            for _, key, _, _ in Formatter().parse(template)
            if key
        }
        object.__setattr__(self, "settings", tuple(sorted(keys)))


_PKCE = "S256"

_TABLE: dict[str, _Entry] = {
    "wordpress": _Entry(
        label="WordPress.com",
        endpoints={
            "authorize_url": "https://public-api.wordpress.com/oauth2/authorize",
            "access_token_url": "https://public-api.wordpress.com/oauth2/token",
            "api_base_url": "https://public-api.wordpress.com/rest/v1.1/",
        },
        client_kwargs={"scope": "auth", "token_endpoint_auth_method": "client_secret_post"},
        read_profile=wordpress_profile,
    ),
    "google": _Entry(
        label="Google",
        endpoints={
            "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
        },
        client_kwargs={"scope": "openid email profile", "code_challenge_method": _PKCE},
        read_profile=openid_profile,
    ),
    "twitter": _Entry(
        label="X",
        endpoints={
            "authorize_url": "https://x.com/i/oauth2/authorize",
            "access_token_url": "https://api.x.com/2/oauth2/token",
            "api_base_url": "https://api.x.com/2/",
        },
        client_kwargs={
            "scope": "tweet.read users.read",
            "code_challenge_method": _PKCE,
            # X requires HTTP Basic at the token endpoint for confidential clients.
            "token_endpoint_auth_method": "client_secret_basic",
        },
        read_profile=x_profile,
    ),
    "facebook": _Entry(
        label="Facebook",
        endpoints={
            "authorize_url": "https://www.facebook.com/{WIDGET_FACEBOOK_GRAPH_VERSION}/dialog/oauth",
            "access_token_url": (
                "https://graph.facebook.com/{WIDGET_FACEBOOK_GRAPH_VERSION}/oauth/access_token"
            ),
            "api_base_url": "https://graph.facebook.com/{WIDGET_FACEBOOK_GRAPH_VERSION}/",
        },
        client_kwargs={
            "scope": "email public_profile",
            "token_endpoint_auth_method": "client_secret_post",
        },
        read_profile=facebook_profile,
    ),
    "github": _Entry(
        label="GitHub",
        endpoints={
            "authorize_url": "https://github.com/login/oauth/authorize",
            "access_token_url": "https://github.com/login/oauth/access_token",
            "api_base_url": "https://api.github.com/",
        },
        client_kwargs={
            "scope": "user:email",
            "code_challenge_method": _PKCE,
            "token_endpoint_auth_method": "client_secret_post",
        },
        read_profile=github_profile,
    ),
    "oidc": _Entry(
        label="OpenID Connect",
        label_key="WIDGET_OIDC_NAME",
        endpoints={
            "server_metadata_url": "{WIDGET_OIDC_ISSUER}/.well-known/openid-configuration",
        },
        client_kwargs={"scope": "openid email profile", "code_challenge_method": _PKCE},
        read_profile=openid_profile,
    ),
}

PROVIDER_NAMES: tuple[str, ...] = tuple(_TABLE)


# --- Settings -------------------------------------------------------------------------------


def _graph_version(value: str) -> str:
    match = re.fullmatch(r"v?(\d+\.\d+)", value)
    if not match:
        raise ValueError(f"WIDGET_FACEBOOK_GRAPH_VERSION must look like v26.0, not {value!r}")
    return f"v{match[1]}"


def _issuer(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"WIDGET_OIDC_ISSUER must be an https:// URL, not {value!r}")
    return value.rstrip("/")


# Settings a provider's URLs may name: config key -> (default, normalize).
_URL_SETTINGS: dict[str, tuple[str, Callable[[str], str]]] = {
    "WIDGET_FACEBOOK_GRAPH_VERSION": ("v26.0", _graph_version),
    "WIDGET_OIDC_ISSUER": ("", _issuer),
}


def _credential_keys(name: str) -> tuple[str, str]:
    return f"WIDGET_{name.upper()}_CLIENT_ID", f"WIDGET_{name.upper()}_CLIENT_SECRET"


def _config_text(config: Mapping[str, Any], key: str) -> str:
    value = config.get(key)
    return "" if value is None else str(value).strip()


def _setting(config: Mapping[str, Any], key: str) -> str:
    default, normalize = _URL_SETTINGS[key]
    value = _config_text(config, key) or default
    return normalize(value) if value else ""


def provider_settings_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The sign-in settings present in the environment, as config keys of the same names."""
    keys: list[str] = []
    for name, entry in _TABLE.items():
        keys += [*_credential_keys(name), *entry.settings]
        if entry.label_key:
            keys.append(entry.label_key)
    return {key: environ[key] for key in dict.fromkeys(keys) if key in environ}


def configured_providers(config: Mapping[str, Any]) -> dict[str, Provider]:
    """Only the providers the operator configured, in display order.

    A provider is configured when its client id, its secret and every setting its URLs
    name (the OIDC issuer) are non-empty.
    """
    providers: dict[str, Provider] = {}
    for name, entry in _TABLE.items():
        client_id, client_secret = (_config_text(config, key) for key in _credential_keys(name))
        if not (client_id and client_secret):
            continue
        values = {key: _setting(config, key) for key in entry.settings}
        if not all(values.values()):
            continue
        label = _config_text(config, entry.label_key) if entry.label_key else ""
        providers[name] = Provider(
            name=name,
            label=label or entry.label,
            register_kwargs={
                "client_id": client_id,
                "client_secret": client_secret,
                **{k: url.format_map(values) for k, url in entry.endpoints.items()},
                "client_kwargs": dict(entry.client_kwargs),
            },
            fetch_profile=functools.partial(entry.read_profile, name),
        )
    return providers


def register_providers(oauth: OAuth, providers: Mapping[str, Provider]) -> None:
    """oauth.register each one (and forget providers an earlier app registered)."""
    # Authlib caches a client per name on the OAuth object, so a second app bound to the
    # same object (tests, reloads) would otherwise keep the first app's credentials.
    for name in PROVIDER_NAMES:
        oauth._registry.pop(name, None)
        oauth._clients.pop(name, None)
    for name, provider in providers.items():
        oauth.register(name=name, **copy.deepcopy(provider.register_kwargs))
