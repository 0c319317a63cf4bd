"""Big thread pages cannot fill a worker's memory through the rendered-page cache."""

from __future__ import annotations

import os

from widget.embed.page_cache import MemoryCache, pages

MB = 1024 * 1024


def test_a_thousand_big_pages_stay_within_the_byte_budget():
    cache = MemoryCache(max_bytes=2 * MB)
    for n in range(1000):
        cache.set(f"page-{n}", os.urandom(256 * 1024))  # gzip does nothing for these
    assert cache.size_bytes() <= 2 * MB
    assert cache.get("page-999") is not None  # the newest are the ones kept
    assert cache.get("page-0") is None


def test_a_page_larger_than_the_budget_is_not_kept():
    cache = MemoryCache(max_bytes=MB)
    cache.set("small", b"x" * 1000)
    cache.set("huge", b"x" * (2 * MB))
    assert cache.get("huge") is None
    assert cache.get("small") is not None
    assert cache.size_bytes() <= MB


def test_replacing_a_page_counts_its_bytes_once():
    cache = MemoryCache(max_bytes=MB)
    for _ in range(10):
        cache.set("same", b"x" * 100_000)
    assert 100_000 <= cache.size_bytes() < 2 * 100_000


def test_the_budget_is_a_setting(make_app):
    app = make_app(WIDGET_PAGE_CACHE_MB=0.5)
    with app.app_context():
        cache = pages()
        assert isinstance(cache, MemoryCache)
        for n in range(50):
            cache.set(f"p{n}", os.urandom(64 * 1024))
        assert cache.size_bytes() <= MB // 2


def test_thread_pages_still_come_from_the_cache(app, client, site, make_comment):
    make_comment(site)
    url = f"/embed/thread?site={site.key}&url=https://blog.example.com/2026/11/hello/"
    first = client.get(url)
    assert first.status_code == 200
    assert pages().size_bytes() > 0  # type: ignore[attr-defined]
    assert client.get(url).data == first.data
