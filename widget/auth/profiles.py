"""Reading who signed in: each provider's answer turned into one `Profile`.

A provider's entry in the table (providers.py) names one of these readers; an OpenID Connect
provider reuses `openid_profile`, any other gets a small function of its own here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Profile:
    provider: str
    subject: str
    name: str
    avatar_url: str | None
    profile_url: str | None
    email: str | None
    email_verified: bool


class ProfileUnavailable(ValueError):
    """The provider answered with an error, or without a user id."""


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


def wordpress_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
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


def x_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
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


def facebook_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
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


def github_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
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


def openid_profile(provider: str, client: Any, token: dict[str, Any]) -> Profile:
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
