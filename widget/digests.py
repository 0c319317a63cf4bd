"""How a secret we hand out (a reader's token, an invitation link, a dashboard session, a
guest's edit key) is kept: only its SHA-256, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib


def secret_hash(secret: str) -> str:
    """The hex SHA-256 that the database keeps in place of `secret`."""
    return hashlib.sha256(secret.encode()).hexdigest()
