"""Static paths that climb out of static/: nothing outside it is opened, hashed or remembered."""

from __future__ import annotations

import builtins
import inspect
import os

import pytest

from widget import assets

TRAVERSALS = [
    "/static/..%2F..%2F..%2Fdev%2Fzero?v=x",
    "/static/..%2Fpyproject.toml?v=x",
    "/static/..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2Fetc%2Fpasswd?v=x",
    "/static/thread.css%2F..%2F..%2FREADME.md?v=x",
    "/static/..\\pyproject.toml?v=x",
]


@pytest.fixture
def opened(monkeypatch):  # type: ignore[no-untyped-def]
    """Every path the process opens during the request; one outside static/ fails at once,
    before it is read (so that /dev/zero cannot eat the test's memory)."""
    paths: list[str] = []
    real_open = builtins.open
    static = os.path.realpath(assets.STATIC) + os.sep
    templates = os.path.realpath(assets.TEMPLATES) + os.sep

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, str | os.PathLike):
            path = os.path.realpath(file)
            paths.append(path)
            if not path.startswith((static, templates)) and not path.endswith((".py", ".pyc")):
                raise AssertionError(f"opened {path} outside static/")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    return paths


@pytest.mark.parametrize("path", TRAVERSALS)
def test_a_path_out_of_static_is_a_404_without_opening_anything(client, opened, path):
    response = client.get(path, follow_redirects=True)  # (werkzeug merges "//" by a redirect)
    assert response.status_code == 404
    assert not [p for p in opened if not p.startswith(os.path.realpath(assets.STATIC))]


def test_an_unknown_static_file_is_a_404(client):
    assert client.get("/static/no-such-file.js?v=123").status_code == 404
    assert client.get("/static/").status_code == 404


def test_strangers_names_grow_no_memo_cache(client):
    def cached() -> int:
        sizes = [
            obj.cache_info().currsize
            for obj in vars(assets).values()
            if not inspect.isclass(obj) and hasattr(type(obj), "cache_info")
        ]
        return sum(sizes)

    client.get("/static/thread.js")
    before = cached()
    for n in range(300):
        client.get(f"/static/..%2F{'.%2F' * n}README.md?v=x")
        client.get(f"/static/nothing-{n}.css?v={n}")
    assert cached() == before


def test_real_static_files_are_still_served_and_fingerprinted(client):
    with client.application.test_request_context():
        thread_js = assets.asset_url("thread.js")
    response = client.get(thread_js)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/static/thread.js?v=stale").headers["Cache-Control"].endswith("3600")
