"""Request bodies: small everywhere (MAX_CONTENT_LENGTH), except for the views that take a
file, which say how large theirs may be.

The limit has to be known before anything reads the body, and the CSRF check reads the form
before any view runs, so it is the request that asks its view, not the view that sets it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Request, current_app

F = TypeVar("F", bound=Callable[..., Any])


def takes_upload(setting: str) -> Callable[[F], F]:
    """The view accepts a body of up to `setting` megabytes (a float in the config)."""

    def mark(view: F) -> F:
        view.upload_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


class UploadRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint or "")
        setting = getattr(view, "upload_setting", None)
        if setting is None:
            return super().max_content_length
        return int(float(current_app.config[setting]) * 1024 * 1024)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.__set__(self, value)  # type: ignore[attr-defined]
