"""How a signed-in person is shown to the iframe and the API."""

from __future__ import annotations

from typing import Any

from flask import url_for

from ..models import Identity, User
from . import registry


def avatar_url(user: User) -> str | None:
    if not user.avatar_version:
        return None
    return url_for("avatars.avatar", user_id=user.id, v=user.avatar_version)


def provider_label(name: str) -> str:
    provider = registry.all_providers().get(name)
    return provider.label if provider else name


def user_json(identity: Identity) -> dict[str, Any]:
    user = identity.user
    return {
        "id": user.id,
        "name": user.name,
        "avatar_url": avatar_url(user),
        "profile_url": user.profile_url or None,
        "provider": identity.provider,
        "provider_label": provider_label(identity.provider),
    }
