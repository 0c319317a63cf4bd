"""Digests kept in place of what they digest, so a copy of the database reveals nothing.

A secret we hand out (a reader's token, an invitation link, a dashboard session, a guest's edit
key) is kept as its SHA-256. Something a stranger could guess by trying every value (an email,
an IP address, an account id), is kept as an HMAC under the operator's pepper instead."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def secret_hash(secret: str) -> str:
    """The hex SHA-256 that the database keeps in place of `secret`."""
    return hashlib.sha256(secret.encode()).hexdigest()


def peppered_hash(kind: str, value: str) -> str:
    """The HMAC-SHA256 of `value` (an email, an IP address...) under WIDGET_HASH_PEPPER, or the
    secret key where none is set: the same value always gives the same digest, per `kind`."""
    pepper = current_app.config.get("WIDGET_HASH_PEPPER") or current_app.config["SECRET_KEY"]
    return hmac.new(pepper.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
