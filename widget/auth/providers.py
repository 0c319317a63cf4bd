"""Sign-in providers: one table of what each provider needs, and how to read who signed in.

Adding a provider is one entry in `_TABLE` (plus a paragraph in docs/providers.md). An entry
holds the Authlib registration settings (its URLs may name a setting in braces, filled from the
config) and a function that turns the provider's answer into a `Profile`.
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


@dataclass(frozen=True)
class Profile:
    provider: str
    subject: str
    name: str
    avatar_url: str | None
    profile_url: str | None
    email: str | None
    email_verified: bool


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    register_kwargs: dict[str, Any]
    fetch_profile: Callable[[Any, dict[str, Any]], Profile]


class ProfileUnavailable(ValueError):
    """The provider answered with an error, or without a user id."""


# --- Reading profiles -----------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _first(*values: Any) -> str:
    """The first value that is a non-blank string once stripped, else ""."""
    return next((t for t in map(_text, values) if t), "")


def _optional(value: Any) -> str | None:
    return _text(value) or None


def _is_true(value: Any) -> bool:
    # Some OPs send JSON booleans as strings.
    return value is True or _text(value).lower() == "true"


def _get_json(provider: str, client: Any, path: str, token: dict[str, Any], **params: str) -> Any:
    resp = client.get(path, params=params or None, token=token)
    if not resp.ok:
        raise ProfileUnavailable(f"{provider}: GET {path} answered {resp.status_code}")
    return resp.json()


def _subject(provider: str, value: Any) -> str:
    subject = _text(value)
    if not subject:
        raise ProfileUnavailable(f"{provider}: the answer carries no user id")
    return subject


def _wordpress_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
    me = _get_json(provider, client, "me", token)
    subject = _subject(provider, me.get("ID"))
    return Profile(
        provider=provider,
        subject=subject,
        name=_first(me.get("display_name"), me.get("username"), subject),
        avatar_url=_optional(me.get("avatar_URL")),
        profile_url=_optional(me.get("profile_URL")),
        email=_optional(me.get("email")),
        # In v1.1 `verified` means "verified via WordPress.com Connect"; the email's own
        # confirmation is `email_verified`.
        email_verified=_is_true(me.get("email_verified")),
    )


def _x_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
    answer = _get_json(
        provider, client, "users/me", token, **{"user.fields": "profile_image_url,name,username"}
    )
    user = answer.get("data") or {}
    subject = _subject(provider, user.get("id"))
    username = _text(user.get("username"))
    return Profile(
        provider=provider,
        subject=subject,
        name=_first(user.get("name"), username, subject),
        avatar_url=_optional(user.get("profile_image_url")),
        profile_url=f"https://x.com/{username}" if username else None,
        # X gives no email to this scope set.
        email=None,
        email_verified=False,
    )


def _facebook_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
    me = _get_json(
        provider, client, "me", token, fields="id,name,email,picture.width(128).height(128)"
    )
    subject = _subject(provider, me.get("id"))
    picture = (me.get("picture") or {}).get("data") or {}
    return Profile(
        provider=provider,
        subject=subject,
        name=_first(me.get("name"), subject),
        avatar_url=_optional(picture.get("url")),
        # `link` needs the user_link permission, which needs app review.
        profile_url=None,
        email=_optional(me.get("email")),
        # Facebook does not say whether the address was confirmed.
        email_verified=False,
    )


def _github_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
    user = _get_json(provider, client, "user", token)
    subject = _subject(provider, user.get("id"))
    email, verified = _optional(user.get("email")), False
    # `email` on /user is the public one, null when the user keeps it private; /user/emails
    # lists every address with its verification (scope user:email).
    resp = client.get("user/emails", token=token)
    if resp.ok:
        addresses = [a for a in resp.json() if isinstance(a, dict) and _text(a.get("email"))]
        best = next((a for a in addresses if a.get("primary") and a.get("verified")), None)
        best = best or next((a for a in addresses if a.get("verified")), None)
        if best:
            email, verified = _text(best["email"]), True
    return Profile(
        provider=provider,
        subject=subject,
        name=_first(user.get("name"), user.get("login"), subject),
        avatar_url=_optional(user.get("avatar_url")),
        profile_url=_optional(user.get("html_url")),
        email=email,
        email_verified=verified,
    )


def _openid_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
    """ID-token claims, completed from the userinfo endpoint when name or email is missing.

    Google puts name and email in the ID token; many OPs (e.g. the npm oidc-provider) answer
    them only from userinfo.
    """
    claims = dict(token.get("userinfo") or {})
    if not (_text(claims.get("name")) and _text(claims.get("email"))):
        info = dict(client.userinfo(token=token) or {})
        # OIDC Core 5.3.4: userinfo about another subject must not be used.
        if not claims or _text(info.get("sub")) == _text(claims.get("sub")):
            for key, value in info.items():
                if _text(claims.get(key)) == "":
                    claims[key] = value
    subject = _subject(provider, claims.get("sub"))
    email = _optional(claims.get("email"))
    return Profile(
        provider=provider,
        subject=subject,
        name=_first(
            claims.get("name"), claims.get("preferred_username"), claims.get("nickname"), subject
        ),
        avatar_url=_optional(claims.get("picture")),
        profile_url=_optional(claims.get("profile")) or _optional(claims.get("website")),
        email=email,
        email_verified=bool(email) and _is_true(claims.get("email_verified")),
    )


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
        read_profile=_wordpress_profile,
    ),
    "google": _Entry(
        label="Google",
        endpoints={
            "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
        },
        client_kwargs={"scope": "openid email profile", "code_challenge_method": _PKCE},
        read_profile=_openid_profile,
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
        read_profile=_x_profile,
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
        read_profile=_facebook_profile,
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
        read_profile=_github_profile,
    ),
    "oidc": _Entry(
        label="OpenID Connect",
        label_key="WIDGET_OIDC_NAME",
        endpoints={
            "server_metadata_url": "{WIDGET_OIDC_ISSUER}/.well-known/openid-configuration",
        },
        client_kwargs={"scope": "openid email profile", "code_challenge_method": _PKCE},
        read_profile=_openid_profile,
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


def _setting(config: Mapping[str, Any], key: str) -> str:
    default, normalize = _URL_SETTINGS[key]
    value = _text(config.get(key)) or default
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
        client_id, client_secret = (_text(config.get(key)) for key in _credential_keys(name))
        if not (client_id and client_secret):
            continue
        values = {key: _setting(config, key) for key in entry.settings}
        if not all(values.values()):
            continue
        label = _text(config.get(entry.label_key)) if entry.label_key else ""
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
