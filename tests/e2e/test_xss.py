"""No script from a comment ever runs: the XSS corpus, posted through the real API into every
field a reader or a blog page controls, rendered in real Chromium on the cross-site blog.

Every payload announces itself if it runs (a dialog, or __xss set on window, parent or top). The
thread page's Content-Security-Policy (script-src 'self') would silence inline handlers and hide
a sanitiser bug, so these tests take that header off on its way to the browser: what is proven
here is the allowlist and the escaping, with the CSP as a second wall behind them.

How each field's payloads reach a page (a refusal, a 400 naming the field, passes; what is
accepted must render inert):
- body, author_name, author_url: one comment per payload, each payload in all three fields at
  once, a few to an article, rendered by the server; and all typed again into the iframe's
  form, 110 or so to a thread, where thread.js renders what the API answers;
- title: the blog page's own <title>, which embed.js hands the iframe, and the API's `title`
  field, which the thread keeps (several payloads to a title: titles are cut at 300 characters);
- url: the query string of an article's URL, which embed.js sends as the page URL and the
  thread keeps; and the whole payload as the `url` field (refused: not on the site's origin);
- the thread page opened on its own, as any link could open it, with hostile parameters.
Articles are opened several at a time, in tabs, to keep the run short.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from playwright.sync_api import BrowserContext, Dialog, Frame, Page, Route

from tests.support.browser import BrowserErrors
from tests.support.pages import comment_frame
from tests.support.servers import Service
from tests.support.static_blog import Blog
from tests.support.xss_corpus import load_payloads
from widget.comments import validation
from widget.errors import Rejected
from widget.text import ALLOWED_TAGS
from widget.urls import normalize_page_url

pytestmark = pytest.mark.e2e

PAYLOADS = load_payloads()
# A NUL is refused in a title (the comments test counts those refusals); the rest go in titles.
IN_TITLES = [p for p in PAYLOADS if "\x00" not in p.text]
TABS = 3
TYPING_TABS = 2  # the service has two workers
TITLE_MAX = 300
URL_MAX = 2048
SETTLE_MS = 100  # for onerror/onload/ontoggle handlers to fire, were there any
FALLBACK = {"body": "(refused)", "author_name": "Fallback", "author_url": "", "title": "Fallback"}
# What happened to the payloads in each field; printed when the module is done (pytest -s).
OUTCOMES: dict[str, Counter[str]] = {}

# Run in the thread page: everything in it that could run script, were it there.
FIND_LIVE_MARKUP = """allowed => {
  const bad = [];
  const schemes = /^(javascript|data|vbscript):/;
  const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc",
                    "poster", "background", "codebase", "cite", "ping"];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on") || (urlAttrs.includes(name) && schemes.test(value))) {
        bad.push(`<${el.localName} ${name}="${attr.value}">`);
      }
    }
  }
  for (const el of document.querySelectorAll(".comment-content *")) {
    if (!allowed.includes(el.localName)) bad.push(`<${el.localName}> in a comment`);
  }
  for (const el of document.querySelectorAll("script")) {
    // Only the service's own static scripts (thread.js, however it is fingerprinted).
    const src = el.src ? new URL(el.src) : null;
    const ours = src && src.origin === location.origin && src.pathname.startsWith("/static/");
    if (!ours) bad.push(`script ${el.src || el.textContent}`);
  }
  for (const el of document.querySelectorAll("iframe, frame, object, embed, base, svg, math")) {
    bad.push(`<${el.localName}>`);
  }
  return bad;
}"""


def _tally(field: str, outcome: str, n: int = 1) -> None:
    OUTCOMES.setdefault(field, Counter())[outcome] += n


@pytest.fixture(scope="module", autouse=True)
def _report_outcomes() -> Iterator[None]:
    yield
    if OUTCOMES:
        lines = [f"  {field}: {dict(counts)}" for field, counts in sorted(OUTCOMES.items())]
        print(f"\nXSS corpus, {len(PAYLOADS)} payloads; per field:\n" + "\n".join(lines))


def _without_csp(route: Route) -> None:
    response = route.fetch()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
    route.fulfill(response=response, headers=headers)


class Tab:
    """One tab, with the dialogs that the page or any frame in it opened."""

    def __init__(self, page: Page, service: Service) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)
        page.route(re.compile(re.escape(service.url) + r"/embed/thread\?"), _without_csp)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}({dialog.message!r}) on {self.page.url}")
        dialog.dismiss()

    def thread(self) -> Frame:
        """The comment frame on a blog page, or the thread page itself when opened on its own."""
        if self.page.locator("iframe[data-comment-widget]").count():
            return comment_frame(self.page)
        return self.page.main_frame

    def assert_inert(self, what: str, thread: Frame | None = None) -> None:
        """Nothing ran (no dialog, no __xss anywhere) and nothing in the thread page could."""
        assert self.dialogs == [], f"script ran ({what}): {self.dialogs}"
        for frame in self.page.frames:
            assert frame.evaluate("() => window.__xss") is None, f"__xss in {frame.url} ({what})"
        live = (thread or self.thread()).evaluate(FIND_LIVE_MARKUP, sorted(ALLOWED_TAGS))
        assert live == [], f"live markup in the thread ({what}): {live}"


class Tabs:
    """A few tabs that open pages side by side, then check each one."""

    def __init__(
        self, page: Page, context: BrowserContext, service: Service, errors: BrowserErrors
    ):
        self.tabs = [Tab(page, service)]
        for _ in range(TABS - 1):
            extra = context.new_page()
            errors.watch(extra)
            self.tabs.append(Tab(extra, service))

    def visit(self, urls: list[str], check: Callable[[Frame, int], None] | None = None) -> None:
        """Open every URL, TABS at a time; `check(thread, index)` any page, then prove it inert."""
        for start in range(0, len(urls), TABS):
            batch = list(zip(self.tabs, urls[start : start + TABS], strict=False))
            for tab, url in batch:
                tab.page.goto(url, wait_until="commit")
            threads = []
            for offset, (tab, _url) in enumerate(batch):
                tab.page.wait_for_load_state("load")
                threads.append(tab.thread())
                if check:
                    check(threads[-1], start + offset)
            self.tabs[0].page.wait_for_timeout(SETTLE_MS)
            for (tab, url), thread in zip(batch, threads, strict=True):
                tab.assert_inert(url, thread)


@pytest.fixture
def tabs(
    page: Page, context: BrowserContext, service: Service, browser_errors: BrowserErrors
) -> Tabs:
    return Tabs(page, context, service, browser_errors)


class Poster:
    """POST /api/v1/comments as the iframe does; each refused field is noted and replaced."""

    def __init__(self, service: Service, blog: Blog) -> None:
        self.service = service.url
        self.site = blog.site_key
        self.headers = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}
        shown = requests.post(
            f"{self.service}/api/v1/session/resume",
            json={"site": self.site},
            headers=self.headers,
            timeout=10,
        )
        # The form's token, as the widget has it, so that the spam checks let the posts through.
        self.token = {"form_token": shown.json()["form_token"]} if shown.ok else {}
        self.count = 0

    def send(self, fields: dict[str, Any]) -> requests.Response:
        self.count += 1
        payload = {"site": self.site, "author_email": f"x{self.count}@example.com"}
        response = requests.post(
            f"{self.service}/api/v1/comments",
            data=json.dumps(payload | self.token | fields),
            headers=self.headers,
            timeout=10,
        )
        # Each form token passes once; an answer brings the next, as the widget keeps it.
        if response.status_code in (201, 202):
            self.token = {"form_token": response.json()["form_token"]}
        return response

    def post(self, url: str, fields: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
        """Post to `url`, replacing refused fields until it is published; which were refused."""
        fields = dict(fields)
        refused: set[str] = set()
        while True:
            response = self.send({"url": url} | fields)
            if response.status_code == 201:
                return response.json(), refused
            assert response.status_code == 400, response.text  # a refusal, never a 500
            field = response.json()["error"].get("field")
            assert field in FALLBACK and field not in refused, response.text
            refused.add(field)
            fields[field] = FALLBACK[field]


@pytest.fixture
def poster(service: Service, blog: Blog) -> Poster:
    return Poster(service, blog)


def _packed(texts: list[str], limit: int, measure: Callable[[list[str]], int]) -> list[list[str]]:
    """Greedy groups of consecutive texts whose measure stays within `limit`."""
    groups: list[list[str]] = [[]]
    for text in texts:
        if groups[-1] and measure([*groups[-1], text]) > limit:
            groups.append([])
        groups[-1].append(text)
    return groups


def _titles() -> list[str]:
    """Every payload inside some page title, as many to a title as fit in 300 characters."""

    def length(group: list[str]) -> int:
        return len(" ".join(" ".join(group).split()))

    texts = [p.text for p in IN_TITLES]
    assert all(length([text]) <= TITLE_MAX for text in texts)
    return [" ".join(group) for group in _packed(texts, TITLE_MAX, length)]


def _visible(text: str) -> str:
    """Text without whitespace or control characters, which browser and service each tidy."""
    return re.sub(r"[\s\x00-\x1f\x7f]", "", text)


def _url_query(group: list[str]) -> str:
    return urlencode([(f"p{i}", text) for i, text in enumerate(group)])


def test_hostile_comments_titles_and_page_urls_on_blog_pages_render_inert(
    tabs: Tabs, blog: Blog, poster: Poster
) -> None:
    """Article k: titled with title group k, its URL's query holding URL group k, and a share of
    the corpus as comments, each payload its body, author name and website at once."""
    titles = _titles()
    longest = f"{blog.url}/posts/xss-{len(titles)}/"

    def url_length(group: list[str]) -> int:
        return len(f"{longest}?{_url_query(group)}")

    queries = [_url_query(g) for g in _packed([p.text for p in PAYLOADS], URL_MAX, url_length)]
    assert len(queries) <= len(titles)
    share = -(-len(PAYLOADS) // len(titles))
    urls, posted = [], []
    for n, title in enumerate(titles):
        url = blog.article(f"xss-{n}", title)
        urls.append(f"{url}?{queries[n]}" if n < len(queries) else url)
        posted.append([])
        for payload in PAYLOADS[n * share : (n + 1) * share]:
            text = payload.text
            # The page's own title, as the iframe sends it: the thread keeps the first it gets
            # and shows it from then on, whatever a reader's ?title= says.
            fields = {"body": text, "author_name": text, "author_url": text, "title": title}
            comment, refused = poster.post(urls[-1], fields)
            posted[-1].append(comment["id"])
            for field in ("body", "author_name", "author_url"):
                _tally(field, "refused" if field in refused else "rendered inert")

    def shows_everything(thread: Frame, n: int) -> None:
        widget = thread.locator("#widget")
        # embed.js sent location.href, query and all, and the page's <title>.
        assert widget.get_attribute("data-url") == normalize_page_url(urls[n])
        assert _visible(widget.get_attribute("data-title") or "") == _visible(titles[n])
        shown = thread.locator("li.comment").evaluate_all("els => els.map(el => +el.dataset.id)")
        assert shown == posted[n]

    tabs.visit(urls, shows_everything)
    _tally("title (page <title>, via embed.js)", "rendered inert", len(IN_TITLES))
    _tally("url (query of the page URL, via embed.js)", "rendered inert", len(PAYLOADS))


def test_hostile_titles_kept_by_threads_render_inert(
    tabs: Tabs, blog: Blog, poster: Poster
) -> None:
    """The API's title field, which the thread keeps; the thread page opened on its own, as any
    link could open it on the service's origin, with the other parameters hostile too."""
    for payload in PAYLOADS:
        if payload not in IN_TITLES:
            response = poster.send({"url": blog.article("xss-nul", "x"), "body": "x",
                                    "author_name": "A", "title": payload.text})  # fmt: skip
            assert response.status_code == 400 and response.json()["error"]["field"] == "title"
            _tally("title (API field)", "refused")
    titles = _titles()
    urls = []
    for n, title in enumerate(titles):
        page_url = blog.article(f"xss-kept-title-{n}", "Plain")
        _, refused = poster.post(page_url, {"body": "x", "author_name": "A", "title": title})
        assert refused == set()
        hostile = {"title": title, "parent": title, "hl": title, "theme": title}
        params = {"site": blog.site_key, "url": page_url} | hostile
        urls.append(f"{blog.service_url}/embed/thread?{urlencode(params)}")

    def shows_title(thread: Frame, n: int) -> None:
        shown = thread.locator("#widget").get_attribute("data-title") or ""
        assert _visible(shown) == _visible(titles[n])
        assert _visible(titles[n]) in _visible(thread.locator("title").text_content() or "")

    tabs.visit(urls, shows_title)
    _tally("title (API field)", "rendered inert", len(IN_TITLES))
    _tally("thread page parameters (parent, hl, theme)", "rendered inert", len(IN_TITLES))


def test_a_hostile_page_url_is_refused(poster: Poster) -> None:
    for payload in PAYLOADS:  # the whole payload as the page URL: never on the site's origin
        response = poster.send({"url": payload.text, "body": "x", "author_name": "A", "title": ""})
        assert response.status_code == 400, (str(payload), response.text)
        assert response.json()["error"]["field"] == "url"
        _tally("url (the whole field)", "refused")


TYPE_ALL = """async items => {
  const form = document.getElementById("comment-form");
  const f = form.elements;
  const submit = form.querySelector("button[type=submit]");
  const error = document.getElementById("form-error");
  const refused = [];
  for (const [i, item] of items.entries()) {
    for (const name in item) f[name].value = item[name];
    f.author_email.value = `typed${i}@example.com`;
    form.requestSubmit();
    while (submit.disabled) await new Promise(resolve => setTimeout(resolve, 2));
    if (!error.hidden) refused.push([i, error.textContent]);
  }
  return refused;
}"""


def test_hostile_comments_typed_into_the_form_render_inert(
    tabs: Tabs, blog: Blog, browser_errors: BrowserErrors
) -> None:
    """The other way onto the page: thread.js inserts what the API answers, with no reload.
    A body, name or website the service refuses (the unit tests prove which) is not typed."""
    browser_errors.expect_refused_posts()
    items = []
    for payload in PAYLOADS:
        item = {}
        for field, check in (
            ("body", lambda text: validation.body(text, 20_000)),
            ("author_name", validation.author_name),
            ("author_url", validation.author_url),
        ):
            try:
                check(payload.text)
                item[field] = payload.text
                _tally(f"{field} (typed)", "rendered inert")
            except Rejected:
                item[field] = FALLBACK[field]
                _tally(f"{field} (typed)", "refused, not typed")
        items.append(item)
    typing = tabs.tabs[:TYPING_TABS]
    parts = [items[i :: len(typing)] for i in range(len(typing))]
    threads = []
    for n, tab in enumerate(typing):
        tab.page.goto(blog.article(f"xss-typed-{n}", "Typed"))
        threads.append(comment_frame(tab.page))
    for thread, part in zip(threads, parts, strict=True):  # the tabs type side by side
        thread.evaluate(f"items => {{ window.typing = ({TYPE_ALL})(items); }}", part)
    for thread, part in zip(threads, parts, strict=True):
        assert thread.evaluate("() => window.typing") == []
        assert thread.locator("li.comment").count() == len(part)
    typing[0].page.wait_for_timeout(SETTLE_MS)
    for tab in typing:
        tab.assert_inert("comments added by thread.js")


@pytest.mark.parametrize(
    ("where", "script"),
    [
        # An inline handler: it runs only because the thread page's CSP was taken off.
        ("frame", "document.getElementById('comment-list').innerHTML = "
                  "'<img src=data:, onerror=alert(1)>'"),
        ("frame", "setTimeout(() => confirm(1))"),
        ("page", "setTimeout(() => prompt(1))"),
        ("frame", "window.__xss = 1"),
        ("page", "window.__xss = 1"),
        ("frame", "document.body.setAttribute('onclick', 'void 0')"),
        ("frame", "document.body.append(Object.assign(document.createElement('a'), "
                  "{href: ' javascript:void 0'}))"),
    ],
)  # fmt: skip
def test_the_checks_catch_script_that_ran_and_markup_that_could(
    page: Page, service: Service, blog: Blog, where: str, script: str
) -> None:
    """The control: each check above fails when something did run, or could."""
    tab = Tab(page, service)
    page.goto(blog.article("xss-control", "Control"))
    thread = comment_frame(page)
    (thread if where == "frame" else page.main_frame).evaluate(script)
    page.wait_for_timeout(SETTLE_MS)
    with pytest.raises(AssertionError):
        tab.assert_inert(script)
