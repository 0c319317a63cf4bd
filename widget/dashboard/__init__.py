"""Owner pages: sites, threads per page URL, the moderation queue, spam, settings, blocks."""

from __future__ import annotations

# Their routes join the blueprint.
from . import account, exports, imports, sign_in, sites, spam, threads  # noqa: F401
from .views import bp

__all__ = ["bp"]
