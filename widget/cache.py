"""A small cache for rendered pages: Redis when WIDGET_REDIS_URL is set (shared by every worker
and server), else a bounded dictionary in each process."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from typing import Protocol

from flask import Flask, current_app

KEY = "widget.page_cache"
TTL_SECONDS = 24 * 3600  # keys carry versions: a changed thread is a new key, not a stale one


class PageCache(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes) -> None: ...


class MemoryCache:
    def __init__(self, size: int = 1024) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class RedisCache:
    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._prefix = prefix + ":page:"

    def get(self, key: str) -> bytes | None:
        try:
            return self._redis.get(self._prefix + key)  # type: ignore[return-value]
        except Exception:  # a cache that is down is a cache miss, never an error page
            return None

    def set(self, key: str, value: bytes) -> None:
        with contextlib.suppress(Exception):
            self._redis.set(self._prefix + key, value, ex=TTL_SECONDS)


def init_app(app: Flask) -> None:
    url = app.config.get("WIDGET_REDIS_URL")
    app.extensions[KEY] = (
        RedisCache(url, app.config["WIDGET_RATELIMIT_PREFIX"]) if url else MemoryCache()
    )


def pages() -> PageCache:
    return current_app.extensions[KEY]
