"""bench/RESULTS.md: a table per measurement, then each target with its ratio and PASS or FAIL."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import load
from browser import LOADS, Visible
from client import Answer
from isso_server import isso_version
from seeding import REFERENCE, THREADS
from servers import IDLE_CPU_SHARE, IDLE_SAMPLE_SECONDS, WORKERS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
EMBED_JS_LIMIT = 2048
SAME_SPEED = 0.9  # "as fast as", within what one run on this machine can tell apart


@dataclass(frozen=True)
class NA:
    reason: str


Figure = load.Load | NA


@dataclass(frozen=True)
class Thread:
    comments: int
    ours_answer: Answer
    isso_answer: Answer
    ours: Figure
    isso: Figure


@dataclass(frozen=True)
class Bytes:
    url: str
    size: int  # gzipped
    served_gzipped: bool
    status: int
    method: str = "GET"


@dataclass(frozen=True)
class Timed:
    visible: Visible
    fetched: list[Bytes]

    @property
    def total(self) -> int:
        return sum(b.size for b in self.fetched)


@dataclass(frozen=True)
class Pair:
    ours: Figure
    bare: Figure


@dataclass(frozen=True)
class Results:
    threads: list[Thread]
    paging: dict[int, Figure]  # ours by thread size, the reference and the biggest, in turn
    ceiling: dict[str, Pair]  # by answer: "gzip", "plain", "304", and "304 page" (bare: a 200)
    counts: dict[str, Figure]
    embed_js: Answer
    browser: dict[str, Timed | NA]
    posting: dict[str, Figure]
    session: Figure  # ours only: the per-view session call of a guest
    settling: list[float]  # seconds waited for idle servers before each measurement

    def thread(self, comments: int) -> Thread:
        return next(t for t in self.threads if t.comments == comments)


# Cells --------------------------------------------------------------------------------------


def rate(figure: Figure | None) -> str:
    if figure is None or isinstance(figure, NA):
        return "n/a"
    errors = f" ({figure.errors:,} errors)" if figure.errors else ""
    if figure.rate < 10:  # a slow server: how many answers the figure rests on
        return f"{figure.rate:.1f} ({figure.requests:,} answers){errors}"
    return f"{figure.rate:,.0f}{errors}"


def p99(figure: Figure | None) -> str:
    return "n/a" if figure is None or isinstance(figure, NA) else f"{figure.p99_ms:,.1f} ms"


def ratio(a: Figure | None, b: Figure | None) -> float | None:
    good = [f for f in (a, b) if isinstance(f, load.Load) and not f.errors and f.rate]
    return a.rate / b.rate if len(good) == 2 else None  # type: ignore[union-attr]


def times(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}x"


def reasons(*figures: object) -> list[str]:
    return [f.reason for f in figures if isinstance(f, NA)]


# Tables -------------------------------------------------------------------------------------


def threads_table(r: Results) -> str:
    lines = [
        "| Comments | Ours bytes (gzip on the wire) | Ours req/s | Isso bytes (JSON as served) "
        "| Isso req/s | Ours ÷ Isso |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for t in r.threads:
        lines.append(
            f"| {t.comments:,} | {len(t.ours_answer.wire):,} | {rate(t.ours)} "
            f"| {len(t.isso_answer.wire):,} | {rate(t.isso)} | {times(ratio(t.ours, t.isso))} |"
        )
    return "\n".join(lines)


def paged(r: Results) -> float | None:
    """The biggest thread's first page against the reference one."""
    return ratio(r.paging[max(THREADS)], r.paging[REFERENCE])


def paging_table(r: Results) -> str:
    lines = ["| Comments | Ours req/s |", "|--:|--:|"]
    lines += [f"| {count:,} | {rate(f)} |" for count, f in sorted(r.paging.items())]
    return "\n".join(lines) + f"\n\n{max(THREADS):,} ÷ {REFERENCE}: {times(paged(r))}"


def ceiling_table(r: Results) -> str:
    ref = r.thread(REFERENCE)
    plain, gz = len(ref.ours_answer.body), len(ref.ours_answer.wire)
    labels = {"gzip": f"gzip, {gz:,} bytes", "plain": f"uncompressed, {plain:,} bytes",
              "304": "304 Not Modified",
              "304 page": f"ours' 304 against the bare app's gzip ({gz:,} bytes)"}  # fmt: skip
    lines = ["| Answer | Ours req/s | Bare Flask req/s | Ours ÷ bare Flask |", "|---|--:|--:|--:|"]
    for key, label in labels.items():
        pair = r.ceiling[key]
        lines.append(
            f"| {label} | {rate(pair.ours)} | {rate(pair.bare)} "
            f"| {times(ratio(pair.ours, pair.bare))} |"
        )
    return "\n".join(lines)


def pair_table(pair: dict[str, Figure], with_p99: bool) -> str:
    ours, isso = pair["ours"], pair["isso"]
    if with_p99:
        return "\n".join(
            [
                "| | Ours | Isso | Ours ÷ Isso |",
                "|---|--:|--:|--:|",
                f"| req/s | {rate(ours)} | {rate(isso)} | {times(ratio(ours, isso))} |",
                f"| p99 latency | {p99(ours)} | {p99(isso)} | |",
            ]
        )
    return "\n".join(
        [
            "| | Ours | Isso | Ours ÷ Isso |",
            "|---|--:|--:|--:|",
            f"| req/s | {rate(ours)} | {rate(isso)} | {times(ratio(ours, isso))} |",
        ]
    )


def bytes_table(r: Results) -> str:
    lines = ["| Embed | Resource | Bytes (gzip) | |", "|---|---|--:|---|"]
    for name, timed in r.browser.items():
        if isinstance(timed, NA):
            lines.append(f"| {name} | n/a: {timed.reason} | | |")
            continue
        for b in timed.fetched:
            if b.method != "GET":
                lines.append(
                    f"| {name} | {b.method} `{short(b.url)}` | — | not counted: per "
                    "reader, and not needed to show the thread |"
                )
                continue
            how = "as served" if b.served_gzipped else "gzipped by the benchmark"
            status = "" if b.status == 200 else f", status {b.status}"
            lines.append(f"| {name} | `{short(b.url)}` | {b.size:,} | {how}{status} |")
        lines.append(f"| **{name}** | **total** | **{timed.total:,}** | |")
    return "\n".join(lines)


def short(url: str) -> str:
    path = url.split("/", 3)[-1]
    return "/" + (path if len(path) <= 60 else path[:57] + "…")


def browser_table(r: Results) -> str:
    lines = ["| Embed | Median (ms) | Loads (ms) |", "|---|--:|---|"]
    for name, timed in r.browser.items():
        if isinstance(timed, NA):
            lines.append(f"| {name} | n/a | {timed.reason} |")
        else:
            loads = ", ".join(f"{ms:.0f}" for ms in timed.visible.loads_ms)
            lines.append(f"| {name} | {timed.visible.median_ms:,.0f} | {loads} |")
    return "\n".join(lines)


# Targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    measured: str
    passed: bool | None  # None: could not be measured


def targets(r: Results) -> list[Target]:
    ref = r.thread(REFERENCE)
    vs_isso = ratio(ref.ours, ref.isso)
    vs_ceiling = ratio(r.ceiling["gzip"].ours, r.ceiling["gzip"].bare)
    # "As fast as the ceiling's" 304s: its own 304s, and it sending the page; the lower counts.
    cond_304 = ratio(r.ceiling["304"].ours, r.ceiling["304"].bare)
    cond_page = ratio(r.ceiling["304 page"].ours, r.ceiling["304 page"].bare)
    cond = None if cond_304 is None or cond_page is None else min(cond_304, cond_page)
    big_page = paged(r)
    ours_t, isso_t = r.browser.get("ours"), r.browser.get("isso")
    timed = isinstance(ours_t, Timed) and isinstance(isso_t, Timed)
    embed_gz = r.embed_js.gzip_size if r.embed_js.status == 200 else None
    return [
        Target(
            f"Thread view at {REFERENCE} comments ≥ 100x Isso's",
            times(vs_isso),
            None if vs_isso is None else vs_isso >= 100,
        ),
        Target(
            f"Thread view at {REFERENCE} comments ≥ 80% of the bare-Flask ceiling "
            "serving the same bytes (gzip)",
            times(vs_ceiling),
            None if vs_ceiling is None else vs_ceiling >= 0.8,
        ),
        Target(
            "304 answers at least as fast as the ceiling's own 304s (and as it serving the page)",
            f"{times(cond_304)} ({times(cond_page)})",
            None if cond is None else cond >= 1.0,
        ),
        Target(
            f"First page of {max(THREADS):,} comments as fast as {REFERENCE} "
            f"(≥ {SAME_SPEED:.0%}, this machine's noise)",
            times(big_page),
            None if big_page is None else big_page >= SAME_SPEED,
        ),
        Target(
            "Fewer bytes before the thread shows than Isso",
            f"{ours_t.total:,} vs {isso_t.total:,} bytes" if timed else "n/a",  # type: ignore[union-attr]
            ours_t.total < isso_t.total if timed else None,
        ),  # type: ignore[union-attr]
        Target(
            f"embed.js under {EMBED_JS_LIMIT:,} bytes gzipped",
            "n/a" if embed_gz is None else f"{embed_gz:,} bytes",
            None if embed_gz is None else embed_gz < EMBED_JS_LIMIT,
        ),
        Target(
            "First comment visible in Chromium sooner than Isso's",
            f"{ours_t.visible.median_ms:,.0f} vs {isso_t.visible.median_ms:,.0f} ms"  # type: ignore[union-attr]
            if timed
            else "n/a",
            ours_t.visible.median_ms < isso_t.visible.median_ms if timed else None,
        ),  # type: ignore[union-attr]
    ]


def targets_table(r: Results) -> str:
    lines = ["| Target | Measured | Result |", "|---|--:|---|"]
    for t in targets(r):
        verdict = "n/a" if t.passed is None else ("PASS" if t.passed else "FAIL")
        lines.append(f"| {t.text} | {t.measured} | **{verdict}** |")
    return "\n".join(lines)


# The file -----------------------------------------------------------------------------------


def git(*args: str) -> str:
    command = ["git", "-C", str(ROOT), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def code_version() -> str:
    """The commit measured, and whether the app's or the benchmark's files differed from it."""
    changed = git(
        "status", "--porcelain", "--", "widget", "templates", "static", "migrations", "bench/*.py"
    )
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def figures(r: Results) -> dict[str, Figure | Timed]:
    """Every figure of the run, by what it measured."""
    return {
        **{f"{t.comments:,} comments, {who}": f for t in r.threads
           for who, f in (("ours", t.ours), ("Isso", t.isso))},
        **{f"{count:,} comments in turn": f for count, f in r.paging.items()},
        **{f"{key}, {who}": f for key, pair in r.ceiling.items()
           for who, f in (("ours", pair.ours), ("bare Flask", pair.bare))
           if (key, who) != ("304 page", "ours")},  # the "304" row's own figure
        **{f"counts, {who}": f for who, f in r.counts.items()},
        **{f"Chromium, {who}": f for who, f in r.browser.items()},
        "session call": r.session,
        **{f"posting, {who}": f for who, f in r.posting.items()},
    }  # fmt: skip


def not_measured(r: Results) -> str:
    found = reasons(*figures(r).values())
    return "\n".join(f"- n/a: {reason}" for reason in found) or "- Everything was measured."


def stolen(r: Results) -> str:
    """How much CPU the machine's host took for its other guests while the figures were taken."""
    shares = {k: f.stolen for k, f in figures(r).items() if isinstance(f, load.Load)}
    if not shares:
        return ""
    text = (
        "The host of this virtual machine gave its other guests (steal time) "
        f"{sum(shares.values()) / len(shares):.0%} of the CPU time on average while wrk measured; "
        f"a figure taken while it took more than {load.STOLEN_LIMIT:.0%} was taken again (up to "
        f"{load.TAKES} times in all, the least-stolen kept)"
    )
    slowed = [f"{k} ({share:.0%})" for k, share in sorted(shares.items(), key=lambda kv: -kv[1])
              if share > load.STOLEN_LIMIT]  # fmt: skip
    if slowed:
        text += (
            f". Still above it: {', '.join(slowed)}; a ratio with one of these figures compares a "
            "slowed machine with a faster one"
        )
    return text + "."


def settling(r: Results) -> str:
    return (
        "For the same reason every measurement starts only once all servers are idle (under "
        f"{IDLE_CPU_SHARE:.0%} of a\nCPU for {IDLE_SAMPLE_SECONDS} s): this run waited "
        f"{sum(r.settling):.0f} s in all, at most {max(r.settling, default=0):.0f} s at once "
        "(Isso finishing its backlog)."
    )


def document(r: Results, load_average: float) -> str:
    cpus = len(os.sched_getaffinity(0))  # what nproc counts
    return f"""# Fast at any size: benchmarks

Ours against [Isso](https://isso-comments.de/) {isso_version()} and against a bare Flask app
(`bench/ceiling_app.py`, the ceiling for this stack), in one run on one machine. Both comment
servers run under `gunicorn -w {WORKERS}` (sync workers) on SQLite, seeded with the same threads
(the same bodies, authors and reply structure: {", ".join(f"{n:,}" for n in THREADS)} comments;
ours through its services, Isso through its API) with rate limits, spam checks and moderation
off. Load is `{load.COMMAND}` on loopback after a {load.WARMUP_SECONDS} s warm-up, every request
with `Accept-Encoding: gzip`. Ours is `GET /embed/thread` (the iframe's page, as embed.js asks for
it); Isso's is its JSON, `GET /?uri=…&nested_limit=5`, as its embed.js asks for it (Isso does not
compress). Errors (non-2xx/3xx answers or socket errors) are shown next to a figure, and a
figure with errors is left out of the ratios. Sync workers keep answering the warm-up's
requests after wrk closes them, so a server slower than the warm-up (Isso at 2,000 comments)
starts the measured run behind; figures under 10 req/s show how many answers they rest on.
{settling(r)}
{stolen(r)}

- Command: `make bench`
- Date: {date.today().isoformat()}
- Code: commit {code_version()}
- Machine: {cpus} CPUs (nproc), {platform.system()} {platform.machine()}, Python \
{platform.python_version()}, gunicorn {version("gunicorn")}, Flask {version("flask")}, \
SQLAlchemy {version("sqlalchemy")}; load average {load_average:.2f} (1 min) before the run

## Targets

{targets_table(r)}

{not_measured(r)}

## Thread view

{threads_table(r)}

## The biggest thread's first page against the reference one

Ours alone, the {REFERENCE}- and the {max(THREADS):,}-comment threads' first pages measured in
turn ({REFERENCE}, {max(THREADS):,}, {max(THREADS):,}, {REFERENCE}), each the mean of its two runs,
so that the machine speeding up or slowing down over the four runs weighs on both sizes alike.
The thread-view table above measures each size once, at moments half a minute apart with Isso's
runs between them, so its two figures can lie further apart than the sizes alone make them.

{paging_table(r)}

## Ours against the ceiling ({REFERENCE}-comment page)

The bare Flask app returns the very bytes ours sent (the gzipped page with `Content-Encoding:
gzip`, or the page uncompressed) and answers `If-None-Match` with a 304. Each row's figures are
measured in turn, there and back (ours, bare, bare, ours), and each is the mean of its two runs,
so that the machine speeding up or slowing down weighs on both alike. The 304 target compares
ours' 304 with the bare app's own 304, and with the bare app serving the gzipped page (the last
row: the three measured in turn together); both must be at least 1. Ours can
pass the ceiling: a page it served before is answered from memory in front of Flask, once one check
against the database says it is still current (`widget/embed/hot_pages.py`,
[docs](../docs/install.md#how-thread-pages-are-cached)).

{ceiling_table(r)}

## Posting a comment

Ours: `POST /api/v1/comments` (JSON, as the iframe sends it); Isso: `POST /new?uri=…`; every
body different, all into one thread. Measured in turn (ours, Isso, Isso, ours), each figure the
mean of its two runs; so are the counts below.

{pair_table(r.posting, with_p99=True)}

## Each page view's session call

Beside the thread page, the iframe asks once per view who the reader is: `POST
/api/v1/session/resume`, here a guest's (no cookie), which writes nothing and so waits for no
writer. Isso's embed makes no such call.

| | Ours |
|---|--:|
| req/s | {rate(r.session)} |
| p99 latency | {p99(r.session)} |

## Counts for 50 pages

Ours: `GET /api/v1/counts?site=…&url=…` with 50 URLs; Isso: `POST /count` with a JSON list of
50 URIs. {len(THREADS)} of the pages have comments.

{pair_table(r.counts, with_p99=False)}

## Bytes before the thread shows

What Chromium fetched from each service before the first comment was visible (the first load of
the test below), each fetched again here with `Accept-Encoding: gzip`: its size on the wire if the
server compressed it, else gzipped here at level 6 (as a proxy in front would).

{bytes_table(r)}

## First comment visible in Chromium

Debian's Chromium (headless, through Playwright), a static blog page on 127.0.0.2 (another site
than the services on 127.0.0.1) embedding the {REFERENCE}-comment thread; from navigation start
until the first comment's text has a box, checked before every paint. Median of {LOADS} loads,
each in a fresh browser context (empty cache), after one load not counted.

{browser_table(r)}

Figures are from one run on a noisy {cpus}-core machine where wrk and Chromium share the CPUs
with the servers: compare ratios within a run, not absolute figures across runs or machines.
"""


def write(r: Results, load_average: float) -> str:
    RESULTS.write_text(document(r, load_average))
    return targets_table(r) + f"\n\nWritten to {RESULTS.relative_to(ROOT)}."
