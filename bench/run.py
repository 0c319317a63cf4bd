"""The issue "Fast at any size": ours against Isso and against a bare Flask app, in one run.

Run by `make bench` (which installs wrk, Isso and Playwright first). Seeds the same threads of
10, 200 and 2,000 comments into ours (SQLite, through widget's services) and into Isso (SQLite,
through its API), serves both with gunicorn and the same worker count, loads them with wrk on
loopback, opens a static blog page embedding each in Chromium, and writes bench/RESULTS.md.
Whatever the app does not offer yet (a 304, the counts endpoint) is reported as n/a.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

# This checkout's code, before an installed copy: the seeding and the tests' server harness.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import browser
import load
from client import Answer, Request, send
from isso_server import isso
from report import NA, Bytes, Pair, Results, Thread, Timed, write
from seeding import REFERENCE, SITE_KEY, THREADS, TITLE, isso_post, seed_isso, seed_ours
from servers import BenchError, gunicorn, static_site, wait_until_idle

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent  # not resolved: the venv's own gunicorn

GZIP = {"Accept-Encoding": "gzip"}  # every reader's browser sends it
COUNTED_PAGES = 50
POSTING_PATH = "/bench/posting/"
SETTLING: list[float] = []  # seconds waited before each measurement for the servers to be idle


# Requests -----------------------------------------------------------------------------------


def ours_thread(base: str, blog: str, path: str) -> Request:
    """What embed.js puts in the iframe's src."""
    query = {"site": SITE_KEY, "url": blog + path, "title": TITLE, "parent": blog, "theme": "auto"}
    return Request(f"{base}/embed/thread?{urlencode(query)}", headers=GZIP)


def isso_thread(base: str, path: str) -> Request:
    """What Isso's embed.js asks for: every top-level comment, five replies under each."""
    query = {"uri": path, "sort": "oldest", "offset": 0, "nested_limit": 5}
    return Request(f"{base}/?{urlencode(query)}", headers=GZIP)


def counted_paths() -> list[str]:
    """A blog's front page: the seeded articles and others nobody commented on."""
    others = [f"/bench/article-{n}/" for n in range(COUNTED_PAGES - len(THREADS))]
    return [*THREADS.values(), *others]


def ours_counts(base: str, blog: str) -> Request:
    query = [("site", SITE_KEY), *(("url", blog + path) for path in counted_paths())]
    return Request(f"{base}/api/v1/counts?{urlencode(query)}", headers=GZIP | {"Origin": blog})


def isso_counts(base: str, blog: str) -> Request:
    headers = GZIP | {"Content-Type": "application/json", "Origin": blog}
    return Request(f"{base}/count", "POST", json.dumps(counted_paths()), headers)


def ours_post(base: str, blog: str, run: str) -> Request:
    comment = {
        "site": SITE_KEY,
        "url": blog + POSTING_PATH,
        "title": TITLE,
        "body": f"Load comment {{n}}.{{take}} of run {run}, with **Markdown**.",
        "author_name": "Loader",
        "author_email": "loader@example.org",
    }
    headers = GZIP | {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest"}
    return Request(f"{base}/api/v1/comments", "POST", json.dumps(comment), headers)


def ours_session(base: str) -> Request:
    """What thread.js asks on every view: the reader's session, a guest's here."""
    headers = GZIP | {"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest",
                      "Origin": base}  # fmt: skip
    return Request(f"{base}/api/v1/session/resume", "POST", json.dumps({"site": SITE_KEY}), headers)


def isso_post_load(base: str, run: str) -> Request:
    comment = {
        "text": f"Load comment {{n}}.{{take}} of run {run}, with **Markdown**.",
        "author": "Loader",
        "email": "loader@example.org",
        "title": TITLE,
    }
    return isso_post(base, POSTING_PATH, json.dumps(comment))


# Measuring ----------------------------------------------------------------------------------


def measured(request: Request, label: str, expect: int = 200) -> load.Load | NA:
    """wrk's figures for `request`, or n/a if one probe does not answer as expected."""
    answer = send(request)
    if answer.status != expect:
        return NA(f"{label} answered {answer.status}, not {expect}")
    taken: list[load.Load] = []
    while len(taken) < load.TAKES and (not taken or taken[-1].stolen > load.STOLEN_LIMIT):
        settle()
        again = f", again: the host took {taken[-1].stolen:.0%} of the CPU" if taken else ""
        print(f"  {label}{again} …", flush=True)
        taken.append(load.measure(request))
    return min(taken, key=lambda figure: figure.stolen)


def settle() -> None:
    waited = wait_until_idle()
    if waited >= 1:
        print(f"  (waited {waited:.0f} s for the servers to finish earlier requests)", flush=True)
    SETTLING.append(waited)


def threads_side_by_side(ours: str, isso_base: str, blog: str) -> list[Thread]:
    rows = []
    for count, path in THREADS.items():
        mine, theirs = ours_thread(ours, blog, path), isso_thread(isso_base, path)
        rows.append(
            Thread(
                count,
                send(mine),
                send(theirs),
                measured(mine, f"ours, {count:,} comments"),
                measured(theirs, f"Isso, {count:,} comments"),
            )
        )
    return rows


class Probe(NamedTuple):
    request: Request
    label: str
    expect: int = 200


def in_turn(*probes: Probe) -> list[load.Load | NA]:
    """Each probe's figure, measured in turn there and back (a, b, b, a), each the mean of its
    two runs: the machine's speed drifts over the minute they take, and this order puts the
    same drift on every side."""
    runs = [measured(*probe) for probe in [*probes, *reversed(probes)]]
    return [together(runs[n], runs[-1 - n]) for n in range(len(probes))]


def ours_and_isso(ours: Probe, isso: Probe) -> dict[str, load.Load | NA]:
    mine, theirs = in_turn(ours, isso)
    return {"ours": mine, "isso": theirs}


def together(*runs: load.Load | NA) -> load.Load | NA:
    missing = [run for run in runs if isinstance(run, NA)]
    return missing[0] if missing else load.mean(list(runs))  # type: ignore[arg-type]


def paging(ours: str, blog: str) -> dict[int, load.Load | NA]:
    """Ours at the reference size and the biggest."""
    sizes = (REFERENCE, max(THREADS))
    probes = [Probe(ours_thread(ours, blog, THREADS[n]), f"ours, {n:,}, in turn") for n in sizes]
    return dict(zip(sizes, in_turn(*probes), strict=True))


def if_none_match(request: Request, first: Answer) -> Request | None:
    """The request again, as a browser that kept the first answer asks for it."""
    etag = first.headers.get("etag")
    if etag is None:
        return None
    return Request(request.url, headers=request.headers | {"If-None-Match": etag})


@contextmanager
def ceiling_app(work: Path, page: Answer) -> Iterator[str]:
    """The bare Flask app serving the reference page's bytes, plain and as ours gzipped them."""
    (work / "page.html").write_bytes(page.body)
    (work / "page.html.gz").write_bytes(page.wire)
    env = {
        **os.environ,
        "BENCH_BODY_FILE": str(work / "page.html"),
        "BENCH_GZIP_FILE": str(work / "page.html.gz"),
    }
    log = work / "ceiling.log"
    with gunicorn(VENV_BIN / "gunicorn", "ceiling_app:app", BENCH, env, free_port(), log) as base:
        yield base


def against_ceiling(page: Request, first: Answer, bare: str) -> dict[str, Pair]:
    """Ours and the bare app answering alike, measured in turn; ours' 304 also in turn with the
    bare app sending the page, which the 304 target compares it with too."""
    bare_gz = Request(bare + ("/gz" if first.gzipped else "/"), headers=GZIP)
    plain = (
        Probe(Request(page.url), "ours, uncompressed"),
        Probe(Request(bare + "/"), "ceiling, uncompressed"),
    )
    pairs = {
        "gzip": Pair(*in_turn(Probe(page, "ours, gzip"), Probe(bare_gz, "ceiling, gzip"))),
        "plain": Pair(*in_turn(*plain)),
    }
    ours_304, bare_304 = if_none_match(page, first), if_none_match(bare_gz, send(bare_gz))
    if ours_304 is None or bare_304 is None:
        no_etag = NA("the page is sent without an ETag")
        return pairs | {"304": Pair(no_etag, no_etag), "304 page": Pair(no_etag, no_etag)}
    mine, theirs, their_page = in_turn(
        Probe(ours_304, "ours, 304", 304),
        Probe(bare_304, "ceiling, 304", 304),
        Probe(bare_gz, "ceiling, gzip, with the 304s"),
    )
    return pairs | {"304": Pair(mine, theirs), "304 page": Pair(mine, their_page)}


def bytes_before_view(requests: list[tuple[str, str]]) -> list[Bytes]:
    """Each resource as a reader gets it: its gzipped size as served, or gzipped here. What the
    page's scripts send (a POST for the reader's session) is listed but not sent again."""
    rows = []
    for method, url in dict.fromkeys(requests):  # once each, in the order the browser asked
        if method != "GET":
            rows.append(Bytes(url, 0, False, 0, method))
            continue
        answer = send(Request(url, headers=GZIP))
        rows.append(Bytes(url, answer.gzip_size, answer.gzipped, answer.status))
    return rows


def in_chromium(blog_dir: Path, blog: str, ours: str, isso_base: str) -> dict[str, Timed | NA]:
    path = THREADS[REFERENCE]
    ours_page = browser.write_page(
        blog_dir,
        "ours",
        (
            f'<div id="comments"></div><script src="{ours}/embed.js" data-site="{SITE_KEY}" '
            f'data-url="{blog}{path}" async></script>'
        ),
    )
    isso_page = browser.write_page(
        blog_dir,
        "isso",
        (
            f'<script data-isso="{isso_base}/" src="{isso_base}/js/embed.min.js"></script>'
            f'<section id="isso-thread" data-isso-id="{path}"></section>'
        ),
    )
    embeds = [
        browser.Embed("ours", f"{blog}/{ours_page}", "#comment-list .comment-content", ours, True),
        browser.Embed("isso", f"{blog}/{isso_page}", "#isso-root .isso-text", isso_base, False),
    ]
    results: dict[str, Timed | NA] = {}
    with browser.chromium() as chromium:
        for embed in embeds:
            settle()
            print(f"  Chromium, {embed.name} …", flush=True)
            try:
                visible = browser.time_to_first_comment(chromium, embed)
            except Exception as error:  # a page that never shows a comment is a finding
                results[embed.name] = NA(f"no comment became visible: {error}".splitlines()[0])
                continue
            results[embed.name] = Timed(visible, bytes_before_view(visible.fetched))
    return results


# Running ------------------------------------------------------------------------------------


def ours_env(work: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "WIDGET_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "WIDGET_INSTANCE_PATH": str(work / "instance"),
        "WIDGET_SECRET_KEY": "bench-only-not-secret",
        "WIDGET_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WIDGET_RATELIMIT_ENABLED": "0",
        "WIDGET_SPAM_CHECKS": "0",
        "WIDGET_DEMO": "0",
    }


def run(work: Path) -> Results:
    blog_dir = work / "blog"
    blog_dir.mkdir()
    ours_port, isso_port, run_id = free_port(), free_port(), uuid.uuid4().hex[:8]
    env = ours_env(work, ours_port)
    with ExitStack() as stack:
        blog = stack.enter_context(static_site(blog_dir, free_port("127.0.0.2")))
        print("Seeding ours: threads of " + ", ".join(f"{n:,}" for n in THREADS) + " …", flush=True)
        seed_ours(env, blog)
        ours = stack.enter_context(
            gunicorn(VENV_BIN / "gunicorn", "wsgi:app", ROOT, env, ours_port, work / "ours.log")
        )
        isso_base = stack.enter_context(isso(work, blog, isso_port, dict(os.environ)))
        print("Seeding Isso through its API …", flush=True)
        seed_isso(isso_base)
        print(f"Measuring with {load.COMMAND} …", flush=True)
        threads = threads_side_by_side(ours, isso_base, blog)
        reference = next(t for t in threads if t.comments == REFERENCE)
        page = ours_thread(ours, blog, THREADS[REFERENCE])
        bare = stack.enter_context(ceiling_app(work, reference.ours_answer))
        return Results(
            settling=SETTLING,
            threads=threads,
            paging=paging(ours, blog),
            ceiling=against_ceiling(page, reference.ours_answer, bare),
            counts=ours_and_isso(
                Probe(ours_counts(ours, blog), "ours, counts"),
                Probe(isso_counts(isso_base, blog), "Isso, counts"),
            ),
            embed_js=send(Request(ours + "/embed.js", headers=GZIP)),
            browser=in_chromium(blog_dir, blog, ours, isso_base),
            session=measured(ours_session(ours), "ours, session call"),
            posting=ours_and_isso(
                Probe(ours_post(ours, blog, run_id), "ours, posting", 201),
                Probe(isso_post_load(isso_base, run_id), "Isso, posting", 201),
            ),
        )


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `make bench`, which installs it.")
    load_average = os.getloadavg()[0]  # other work on the machine skews every figure
    (BENCH / ".work").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BENCH / ".work", prefix="run-") as work:
        try:
            results = run(Path(work))
        except BenchError as error:
            sys.exit(f"The benchmark could not run: {error}")
    print(write(results, load_average))


if __name__ == "__main__":
    main()
