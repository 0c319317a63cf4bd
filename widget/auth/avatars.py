"""Avatars: the provider's picture, copied in the background and kept only as a small PNG.

A reader's browser then never calls a provider's image host, which would tell it who reads what.
Sign-in only records the picture's URL; once that has committed, a small pool of background
threads fetches it (picture_fetch.py: public addresses only, one deadline, a byte cap), so no
sign-in waits on a picture server. What is kept is the picture decoded and drawn again, which
leaves behind everything else the file held (metadata, trailing bytes, another format hidden in
it). `widget avatars refresh` redoes fetches a restart lost.
"""

from __future__ import annotations

import functools
import hashlib
import io
import ipaddress
import logging
import os
import threading
from collections import deque

from flask import Flask, current_app
from PIL import Image

from ..extensions import db
from ..models import User
from ..transactions import after_commit, take_write_lock
from . import picture_fetch

MAX_SIDE = 128  # pixels: shown at 32, sharp on any screen
MAX_PIXELS = 16_000_000  # of the picture as sent: more is refused before it is decoded
FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
TYPE = "image/png"  # the only kind we store, and so the only one we serve
THREADS = 2
MAX_QUEUED = 32  # fetches waiting; past that a sign-in's picture waits for the next sign-in
log = logging.getLogger(__name__)


def want(user: User, url: str | None) -> None:
    """Note the provider's picture; it is fetched in the background once this session commits.
    No picture (or no web address) drops the one we have."""
    source = url.strip() if url else ""
    if not source.lower().startswith(("https://", "http://")) or len(source) > 2048:
        source = ""
    user.avatar_source = source
    if not source:
        user.avatar, user.avatar_type, user.avatar_version = None, "", ""
        return
    db.session.flush()  # for the user's id
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    user_id = user.id
    # (the queue takes each user once, however many sign-ins ask)
    after_commit(lambda: background.submit(app, user_id))


def refresh(user_id: int) -> bool:
    """Fetch the user's picture now and keep it if it is one; whether one was kept."""
    user = db.session.get(User, user_id)
    source = user.avatar_source if user is not None else ""
    db.session.commit()  # no transaction stays open while a picture server is asked
    if not source:
        return False
    try:
        picture = redrawn(picture_fetch.fetch(source, trusted=trusted_networks()))
    except picture_fetch.Refused as exc:
        log.info("avatar of user %s not fetched from %s: %s", user_id, source, exc)
        return False
    # On SQLite, the write lock first: a read followed by a write could find it taken.
    take_write_lock()
    user = db.session.get(User, user_id)
    if user is None or user.avatar_source != source:
        db.session.commit()
        return False  # signed in again meanwhile, with another picture: that fetch is queued
    version = hashlib.sha256(picture).hexdigest()[:12]
    if user.avatar_version != version:  # (a new version moves their threads' versions)
        user.avatar, user.avatar_type, user.avatar_version = picture, TYPE, version
    db.session.commit()
    return True


def redrawn(body: bytes) -> bytes:
    """The picture as a PNG at most MAX_SIDE pixels a side, pixels only; Refused if the bytes
    are not a picture in one of FORMATS."""
    try:
        with Image.open(io.BytesIO(body), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise picture_fetch.Refused(f"{image.width}x{image.height} pixels is too many")
            image.thumbnail((MAX_SIDE, MAX_SIDE))  # the first frame of an animation
            pixels = image.convert("RGBA")
    except picture_fetch.Refused:
        raise
    except Exception as exc:  # any way a stranger's bytes can fail to decode
        raise picture_fetch.Refused(f"not a picture: {exc!r}") from exc
    # A new image of the pixels alone: nothing of the file (EXIF, ICC, text) comes along.
    clean = Image.frombytes("RGBA", pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def trusted_networks() -> list[picture_fetch.Network]:
    return _networks(current_app.config.get("WIDGET_AVATAR_PRIVATE_NETWORKS", ""))


@functools.cache
def _networks(setting: str) -> list[picture_fetch.Network]:
    """WIDGET_AVATAR_PRIVATE_NETWORKS: networks besides the public internet that pictures may
    come from (an intranet's own OpenID provider), comma- or space-separated."""
    return [ipaddress.ip_network(n) for n in setting.replace(",", " ").split()]


class _Background:
    """A few daemon threads per process, started at the first fetch; a short queue."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._jobs: deque[tuple[Flask, int]] = deque()
        self._busy = 0
        self._threads: list[threading.Thread] = []
        self._pid = 0

    def submit(self, app: Flask, user_id: int) -> None:
        with self._changed:
            if (app, user_id) in self._jobs:
                return
            if len(self._jobs) >= MAX_QUEUED:
                log.warning("avatar of user %s not fetched: %d fetches waiting", user_id,
                            len(self._jobs))  # fmt: skip
                return
            self._jobs.append((app, user_id))
            self._start()
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Whether every fetch handed over has finished within timeout seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._jobs and not self._busy, timeout)

    def _start(self) -> None:
        if self._pid != os.getpid():  # a forked worker inherits no threads
            self._pid, self._threads, self._busy = os.getpid(), [], 0
        while len(self._threads) < THREADS:
            thread = threading.Thread(target=self._run, name="avatar-fetch", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._jobs))
                app, user_id = self._jobs.popleft()
                self._busy += 1
            try:
                with app.app_context():
                    refresh(user_id)
            except Exception:
                log.exception("avatar of user %s not fetched", user_id)
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()


background = _Background()


def wait_idle(timeout: float) -> bool:
    """Whether the background fetches handed over so far are done (tests, shutdown)."""
    return background.wait_idle(timeout)
