"""End-to-end fixtures: the real server under gunicorn, a static blog on another site, the
OpenID Connect provider, and one headless Chromium for the whole session.

The blog is served from 127.0.0.2 and the service from 127.0.0.1. Browsers decide what is
"third party" by site (scheme + host; ports do not count), so this is a real cross-site embed:
the iframe runs with third-party cookies and storage blocked, as on Safari
(test_third_party_storage.py proves it on every run).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.support import servers, static_blog
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, BrowserErrors
from tests.support.idp import IDP_LABEL, IdP, callback_url, start_idp
from tests.support.servers import Service
from tests.support.static_blog import Blog

# --- the service --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def service_url() -> str:
    """Where the service will listen, known before it starts (redirect URIs need it)."""
    return f"http://{servers.HOST}:{servers.free_port()}"


@pytest.fixture(scope="session")
def idp_picture_url() -> Iterator[str]:
    """The test accounts' picture: a PNG on loopback, which the service fetches and serves."""
    server = static_blog.serve(servers.HOST)
    yield f"http://{servers.HOST}:{server.server_address[1]}/avatar.png"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def idp(service_url: str, idp_picture_url: str) -> Iterator[IdP]:
    """The provider with ordinary headers (a popup through it keeps window.opener)."""
    with start_idp([callback_url(service_url)], picture_url=idp_picture_url) as provider:
        yield provider


@pytest.fixture(scope="session")
def service(
    service_url: str, idp: IdP, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """The production server (`gunicorn wsgi:app`, two workers) on a fresh SQLite database, with
    the real OpenID Connect provider configured as the generic `oidc` sign-in provider."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (make chromium installs Debian's)")
    work = tmp_path_factory.mktemp("service")
    env = servers.service_env(
        f"sqlite:///{work / 'widget.db'}",
        work / "instance",
        WIDGET_PUBLIC_URL=service_url,
        WIDGET_RATELIMIT_ENABLED="0",
        # The spam checks stay on (the widget's own form passes them), without the wait.
        WIDGET_SPAM_CHECKS="1",
        WIDGET_SPAM_MIN_SECONDS="0",
        WIDGET_OIDC_ISSUER=idp.issuer,
        WIDGET_OIDC_CLIENT_ID=idp.client_id,
        WIDGET_OIDC_CLIENT_SECRET=idp.client_secret,
        WIDGET_OIDC_NAME=IDP_LABEL,
        # The test accounts' picture is on loopback, which is otherwise never fetched from.
        WIDGET_AVATAR_PRIVATE_NETWORKS=f"{servers.HOST}/32",
    )
    service = Service(service_url, env)
    service.cli("db", "upgrade")
    port = urlsplit(service_url).port
    with servers.gunicorn(env, output=work / "gunicorn.log", port=port):
        yield service


# --- the blog, on another site ------------------------------------------------------------


@pytest.fixture(scope="session")
def blog(service: Service) -> Iterator[Blog]:
    """The blog, registered as a site of the service with the CLI, the way an owner does it."""
    blog_server, probe_server = static_blog.serve(static_blog.HOST), static_blog.serve(servers.HOST)
    blog = Blog(
        url=f"http://{static_blog.HOST}:{blog_server.server_address[1]}",
        probe_url=f"http://{servers.HOST}:{probe_server.server_address[1]}",
        service_url=service.url,
    )
    blog_server.blog = probe_server.blog = blog
    created = json.loads(
        service.cli("sites", "create", "--name", "E2E blog", "--origin", blog.url, "--json")
    )
    blog.site_key, blog.snippet = created["key"], created["snippet"]
    yield blog
    for server in (blog_server, probe_server):
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
