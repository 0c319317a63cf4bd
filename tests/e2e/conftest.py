"""End-to-end fixtures: the real server under gunicorn, a static blog on another site, and one
headless Chromium for the whole session.

The blog is served from 127.0.0.2 and the service from 127.0.0.1. Browsers decide what is
"third party" by site (scheme + host; ports do not count), so this is a real cross-site embed:
the iframe runs with third-party cookies and storage blocked, as on Safari
(test_third_party_storage.py proves it on every run).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests import servers
from tests.e2e.idp_fixture import IdP, idp  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("WIDGET_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--disable-sync",
]
IDP_LABEL = "Test ID"
SERVICE_HOST = "127.0.0.1"
BLOG_HOST = "127.0.0.2"  # another site than the service: any 127.x address answers on loopback
STARTUP_SECONDS = 30
TIMEOUT_MS = 10_000


def free_port(host: str = SERVICE_HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# --- the service --------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    url: str
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "widget"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"widget {' '.join(args)} failed:\n{result.stderr}"
        return result.stdout


@pytest.fixture(scope="session")
def service_url() -> str:
    """Where the service will listen, known before it starts (redirect URIs need it)."""
    return f"http://{SERVICE_HOST}:{free_port()}"


@pytest.fixture(scope="session")
def idp_picture_url() -> Iterator[str]:
    """The test accounts' picture: a PNG on loopback, which the service fetches and serves."""
    server = _serve(SERVICE_HOST)
    server.blog = None  # type: ignore[assignment]
    yield f"http://{SERVICE_HOST}:{server.server_address[1]}/avatar.png"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def service(
    service_url: str,
    idp: IdP,  # noqa: F811  (the fixture imported above)
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    """The production server (`gunicorn wsgi:app`, two workers) on a fresh SQLite database, with
    the real OpenID Connect provider configured as the generic `oidc` sign-in provider."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (make chromium installs Debian's)")
    work = tmp_path_factory.mktemp("service")
    url = service_url
    bind = urlsplit(url).netloc
    env = os.environ | {
        "WIDGET_DATABASE_URL": f"sqlite:///{work / 'widget.db'}",
        "WIDGET_SECRET_KEY": secrets.token_urlsafe(32),
        "WIDGET_PUBLIC_URL": url,
        "WIDGET_INSTANCE_PATH": str(work / "instance"),
        "WIDGET_DEMO": "0",
        "WIDGET_RATELIMIT_ENABLED": "0",
        # The spam checks stay on (the widget's own form passes them), without the wait.
        "WIDGET_SPAM_MIN_SECONDS": "0",
        "WIDGET_OIDC_ISSUER": idp.issuer,
        "WIDGET_OIDC_CLIENT_ID": idp.client_id,
        "WIDGET_OIDC_CLIENT_SECRET": idp.client_secret,
        "WIDGET_OIDC_NAME": IDP_LABEL,
        # The test accounts' picture is on loopback, which is otherwise never fetched from.
        "WIDGET_AVATAR_PRIVATE_NETWORKS": f"{SERVICE_HOST}/32",
    }
    service = Service(url, env)
    service.cli("db", "upgrade")

    log_path = work / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "2", "-b", bind, "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited with {server.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/embed.js", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"gunicorn did not answer in {STARTUP_SECONDS}s:\n{log_path.read_text()}"
                )
            time.sleep(0.1)
        yield service
    finally:
        servers.stop(server)


# --- the blog, on another site ------------------------------------------------------------

ARTICLE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
  body {{ font: 18px/1.6 Georgia, serif; color: #222; background: #fcfbf8; margin: 0; }}
  main {{ max-width: 42rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }}
</style>
</head>
<body>
<main>
  <article>
    <h1>{title}</h1>
    {paragraphs}
  </article>
{snippet}
</main>
</body>
</html>
"""
FILLER = (
    "<p>An ordinary article on an ordinary blog. It knows nothing of the comment service "
    "except the two lines its owner pasted at the end.</p>"
)

PROBE_FRAME = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>probe</title></head><body>probe frame</body></html>"""
PROBE_TOP = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>probe host</title></head><body><iframe src="{src}"></iframe></body></html>"""


def _png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (52, 120, 200)) -> bytes:
    """A small solid-colour PNG, made here so the tests need no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


AVATAR_PNG = _png()


class _BlogHandler(BaseHTTPRequestHandler):
    """Articles at /posts/<slug>/, plus the probe pages the storage control test uses."""

    server: _BlogServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        blog = self.server.blog
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
        status = 200
        if match := re.fullmatch(r"/posts/([\w-]+)/", path):
            title, paragraphs = blog.articles.get(match[1], (match[1], 3))
            body = ARTICLE.format(
                title=html.escape(title), paragraphs=FILLER * paragraphs, snippet=blog.snippet
            )
        elif path == "/":
            # The front page: every article with its comment count, and no thread.
            items = "".join(
                f'<li><a href="/posts/{slug}/">{html.escape(title)}</a> '
                f'<span data-comment-count-url="{blog.url}/posts/{slug}/">…</span></li>'
                for slug, (title, _) in blog.articles.items()
            )
            body = ARTICLE.format(title="Front page", paragraphs=f"<ul>{items}</ul>",
                                  snippet=blog.snippet.split("\n")[-1])  # fmt: skip
        elif blog is not None and path in blog.pages:
            body = blog.pages[path]
        elif path == "/probe/host/":
            body = PROBE_TOP.format(src=html.escape(blog.probe_url + "/probe/frame/"))
        elif path == "/probe/frame/":
            # The ordinary cookie a third-party iframe would like to keep, and a CHIPS one.
            headers["Set-Cookie"] = "e2e_plain=1; Path=/; SameSite=None; Secure"
            body = PROBE_FRAME
        elif path == "/probe/frame-partitioned/":
            headers["Set-Cookie"] = "e2e_partitioned=1; Path=/; SameSite=None; Secure; Partitioned"
            body = PROBE_FRAME
        elif path == "/avatar.png":
            headers["Content-Type"] = "image/png"
            body = AVATAR_PNG
        elif path == "/probe/cookies":
            headers["Content-Type"] = "application/json"
            body = json.dumps(self.headers.get("Cookie", ""))
        else:
            status, body = 404, "not found"
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _BlogServer(ThreadingHTTPServer):
    daemon_threads = True
    blog: Blog


@dataclass
class Blog:
    """A static blog on 127.0.0.2 whose article template carries the site's snippet."""

    url: str
    probe_url: str  # the same pages from 127.0.0.1: a third party when framed by the blog
    service_url: str
    site_key: str = ""
    snippet: str = ""
    articles: dict[str, tuple[str, int]] = field(default_factory=dict)  # slug: title, length
    pages: dict[str, str] = field(default_factory=dict)  # path: a whole page of a test's own

    def article(self, slug: str, title: str, paragraphs: int = 3) -> str:
        """Publish an article of `paragraphs` paragraphs, the snippet after them; its URL."""
        self.articles[slug] = (title, paragraphs)
        return f"{self.url}/posts/{slug}/"

    def frame_url(self, page_url: str, title: str, **extra: str) -> str:
        """The comment iframe's own address for a page, as embed.js builds it."""
        params = {"site": self.site_key, "url": page_url, "title": title, "parent": self.url}
        return f"{self.service_url}/embed/thread?{urlencode(params | extra)}"


def _serve(host: str) -> _BlogServer:
    server = _BlogServer((host, 0), _BlogHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def blog(service: Service) -> Iterator[Blog]:
    """The blog, registered as a site of the service with the CLI, the way an owner does it."""
    servers = [_serve(BLOG_HOST), _serve(SERVICE_HOST)]
    blog_port, probe_port = (s.server_address[1] for s in servers)
    blog = Blog(
        url=f"http://{BLOG_HOST}:{blog_port}",
        probe_url=f"http://{SERVICE_HOST}:{probe_port}",
        service_url=service.url,
    )
    for server in servers:
        server.blog = blog
    created = json.loads(
        service.cli("sites", "create", "--name", "E2E blog", "--origin", blog.url, "--json")
    )
    blog.site_key, blog.snippet = created["key"], created["snippet"]
    yield blog
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def article(blog: Blog, request: pytest.FixtureRequest) -> tuple[str, str]:
    """An article of this test's own: (url, title), so threads never collide."""
    slug = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
    title = slug.removeprefix("test_").replace("_", " ").capitalize()
    return blog.article(slug, title), title


@pytest.fixture
def seed(service: Service, blog: Blog) -> Callable[..., dict[str, Any]]:
    """Post a comment through the real API, as the iframe would: returns the comment's JSON."""

    def post(page_url: str, title: str, body: str, name: str = "Ann", **fields: Any) -> dict:
        payload = {
            "site": blog.site_key,
            "url": page_url,
            "title": title,
            "body": body,
            "author_name": name,
            "author_email": f"{name.lower()}@example.com",
        } | fields
        headers = {"X-Requested-With": "XMLHttpRequest"}
        shown = requests.post(f"{service.url}/api/v1/session/resume", json={"site": blog.site_key},
                              headers=headers, timeout=10)  # fmt: skip
        payload["form_token"] = shown.json()["form_token"]  # as the widget's form has it
        response = requests.post(
            f"{service.url}/api/v1/comments", json=payload, headers=headers, timeout=10
        )
        assert response.status_code == 201, response.text
        return response.json()

    return post


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(service: Service) -> Iterator[Browser]:
    """Debian's Chromium, headless, launched by Playwright (never Playwright's own download).

    Playwright's launch adds --disable-features=ThirdPartyStoragePartitioning: a cross-site
    iframe then gets no localStorage at all (access throws) instead of a partitioned one, and
    ordinary third-party cookies stay blocked. That is the harder case, so we keep it.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            yield browser
        finally:
            browser.close()


NETWORK_4XX = re.compile(r"Failed to load resource: the server responded with a status of (4\d\d)")


@dataclass
class BrowserErrors:
    """Uncaught exceptions and console errors, from the blog page and from the comment frame.

    Chromium also logs every 4xx answer to fetch() as a console error, even when the script
    handles it. One such answer is expected and is not an error: a 4xx from /api/v1/comments,
    in a test that has the API refuse a comment on purpose.
    Everything else fails the test.
    """

    seen: list[str] = field(default_factory=list)
    refusals_expected: bool = False

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.seen.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if self._expected(where, message.text):
            return
        self.seen.append(f"console.error at {where}: {message.text}")

    def _expected(self, where: str, text: str) -> bool:
        status = NETWORK_4XX.match(text)
        path = urlsplit(where).path
        if not status:
            return False
        return self.refusals_expected and path == "/api/v1/comments"

    def expect_refused_posts(self) -> None:
        self.refusals_expected = True


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 900, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, browser_errors: BrowserErrors) -> Iterator[Page]:
    """A tab whose JavaScript errors (blog or frame) fail the test that caused them."""
    page = context.new_page()
    browser_errors.watch(page)
    yield page
    page.close()
    if browser_errors.seen:
        pytest.fail("JavaScript errors:\n" + "\n".join(browser_errors.seen))
