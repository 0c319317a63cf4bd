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
    """Least recently used pages, bounded by their bytes: a count would let a few big threads
    hold hundreds of megabytes in every worker."""

    ENTRY_OVERHEAD = 200  # bytes: the key's string and the dictionary's bookkeeping

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        cost = self._cost(key, value)
        with self._lock:
            if (old := self._items.pop(key, None)) is not None:
                self._bytes -= self._cost(key, old)
            if cost > self._max_bytes:
                return  # not kept: it would push out everything else and still not fit
            self._items[key] = value
            self._bytes += cost
            while self._bytes > self._max_bytes:
                evicted = self._items.popitem(last=False)
                self._bytes -= self._cost(*evicted)

    def size_bytes(self) -> int:
        return self._bytes

    def _cost(self, key: str, value: bytes) -> int:
        return len(key) + len(value) + self.ENTRY_OVERHEAD


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
        RedisCache(url, app.config["WIDGET_RATELIMIT_PREFIX"])
        if url
        else MemoryCache(int(app.config["WIDGET_PAGE_CACHE_MB"] * 1024 * 1024))
    )


def pages() -> PageCache:
    """The app's page cache, as init_app chose it."""
    cache: PageCache = current_app.extensions[KEY]
    return cache
