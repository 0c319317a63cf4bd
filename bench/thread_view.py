"""Requests per second for the iframe's thread page, against a bare Flask app as the ceiling.

Run by `make bench`. Seeds a fresh SQLite database under bench/.work/ through the real services,
serves it with the production command (`gunicorn -w 2 wsgi:app`), loads it with wrk on loopback
for threads of 10, 200 and 2,000 comments, then does the same for bench/ceiling_app.py, a Flask
app returning a fixed body the size of the 200-comment page. Prints a Markdown table and writes
it to bench/RESULTS.md.
"""

from __future__ import annotations

import gzip
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"
VENV_BIN = Path(sys.executable).parent  # not resolved: the venv's own gunicorn
# Seed with the code of this checkout, as gunicorn (run from ROOT) serves it, even when the venv's
# editable install points at another one.
sys.path.insert(0, str(ROOT))

ORIGIN = "https://blog.example.com"
SITE_KEY = "bench"
# Comments per thread → the page the thread is on. The 200-comment page is the reference.
THREADS = {
    10: f"{ORIGIN}/bench/short/",
    200: f"{ORIGIN}/bench/post/",
    2000: f"{ORIGIN}/bench/long/",
}
REFERENCE = 200
REPLY_SHARE = 0.3  # of comments that answer an earlier one in their thread

WORKERS = 2
WRK_THREADS = 1
WRK_CONNECTIONS = 16
WARMUP_SECONDS = 2
MEASURE_SECONDS = 10
WRK_TIMEOUT = 30  # wrk's default of 2 s would drop the 2,000-comment page's slow answers
WRK_OPTIONS = [f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"--timeout={WRK_TIMEOUT}s"]
WRK_COMMAND = " ".join(["wrk", *WRK_OPTIONS, f"-d{MEASURE_SECONDS}s"])
GZIP_LEVEL = 6  # what nginx and most proxies would use

NAMES = ["Ada", "Brendan", "Chidi", "Dana Scully", "Émile", "Farah", "Gus", "Hiro", "Ines"]
BODIES = [
    "Great post, thanks! The part about **caching** finally made it click for me.",
    "I tried this on a Raspberry Pi and it works, but the first request is slow.\n\n"
    "Is that expected? I'm on Python 3.11.",
    "See [the docs](https://docs.example.org/guide/caching) for the details; "
    "there is also https://example.org/faq which covers the edge cases.",
    "> the database is rarely the bottleneck\n\nIn my experience it almost always is, "
    "at least until you add an index on `thread_id`.",
    "Three things that helped us:\n\n1. measure first\n2. cache the rendered HTML\n"
    "3. keep the *hot path* free of network calls",
    'Small typo in the second paragraph: "it\'s" should be "its". Otherwise ~~perfect~~ very good.',
    "We ran something similar for years. The main lesson: keep it boring. "
    "Boring software gets upgraded, exciting software gets rewritten. "
    "Also, back up the database before every migration, not after.",
]
# Words to vary each comment with: seven bodies repeated would gzip far better than real ones.
WORDS = sorted(set(re.findall(r"[a-z]+", " ".join(BODIES).lower())))


class BenchError(RuntimeError):
    """The benchmark could not run as intended; its figures would mean nothing."""


@dataclass(frozen=True)
class Row:
    label: str
    comments: int | None
    size: int
    gzipped: int | None
    rate: float


# Seeding ------------------------------------------------------------------------------------


def seed(env: dict[str, str]) -> None:
    """Migrate a fresh database, register the site and post every thread's comments."""
    from flask_migrate import upgrade

    from widget import create_app
    from widget.sites import create_site

    os.environ.update(env)  # create_app reads its settings from the environment
    rng = random.Random(1)
    with create_app().app_context():
        upgrade()
        create_site("Bench blog", [ORIGIN], key=SITE_KEY)
        for count, url in THREADS.items():
            seed_thread(url, count, rng)


def seed_thread(url: str, count: int, rng: random.Random) -> None:
    """Post `count` comments through the service, as guests would; some reply to earlier ones."""
    from widget.comments.services import NewComment, post_comment

    ids: list[int] = []
    for n in range(count):
        reply_to = rng.choice(ids) if ids and rng.random() < REPLY_SHARE else None
        posted = post_comment(
            NewComment(
                site=SITE_KEY,
                url=url,
                title="What we learned serving comments",
                body=comment_body(rng),
                author_name=rng.choice(NAMES),
                author_email=f"reader{n % 50}@example.org",
                author_url="https://example.net/~me" if n % 4 == 0 else "",
                parent_id=reply_to,
            )
        )
        ids.append(posted.comment.id)


def comment_body(rng: random.Random) -> str:
    """One of the Markdown bodies, then a sentence of 5 to 60 words in no repeating order."""
    words = " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
    return f"{rng.choice(BODIES)}\n\n{words.capitalize()}."


# Serving ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, cwd: Path, env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Serve `app` with the production worker count; its base URL while it runs, then stop it."""
    base = f"http://127.0.0.1:{port}"
    command = [str(VENV_BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", app]
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        wait_until_ready(server, base, log)
        yield base
    finally:
        stop(server)


def wait_until_ready(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # a 404 is an answer: the server is up
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master, which stops its workers; SIGKILL to its process group if stuck."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# Measuring ----------------------------------------------------------------------------------


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        if response.status != 200:
            raise BenchError(f"{url} answered {response.status}")
        return response.read()


def requests_per_second(url: str) -> float:
    """A warm-up run, then a measured one; refuses figures that include errors."""
    wrk(url, WARMUP_SECONDS)
    return wrk(url, MEASURE_SECONDS)


def wrk(url: str, seconds: int) -> float:
    command = ["wrk", *WRK_OPTIONS, f"-d{seconds}s", url]
    result = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    report = result.stdout
    if "Non-2xx" in report or "Socket errors" in report:
        raise BenchError(f"wrk saw errors for {url}:\n{report}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", report)
    if found is None:
        raise BenchError(f"No Requests/sec in wrk's report:\n{report}")
    return float(found.group(1))


def thread_url(base: str, page: str) -> str:
    query = urlencode({"site": SITE_KEY, "url": page, "parent": ORIGIN})
    return f"{base}/embed/thread?{query}"


def measure_threads(base: str) -> list[Row]:
    rows = []
    for count, page in THREADS.items():
        url = thread_url(base, page)
        body = fetch(url)
        print(f"  {count:>5} comments: {len(body):,} bytes …", flush=True)
        rows.append(
            Row(
                "`/embed/thread`",
                count,
                len(body),
                len(gzip.compress(body, GZIP_LEVEL)),
                requests_per_second(url),
            )
        )
    return rows


def measure_ceiling(base: str, size: int) -> Row:
    url = base + "/"
    if len(fetch(url)) != size:
        raise BenchError("The ceiling app's body is not the size it was asked for.")
    return Row("bare Flask, fixed body (ceiling)", None, size, None, requests_per_second(url))


# Running ------------------------------------------------------------------------------------


def server_env(work: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "WIDGET_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "WIDGET_INSTANCE_PATH": str(work / "instance"),
        "WIDGET_SECRET_KEY": "bench-only-not-secret",
        "WIDGET_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WIDGET_RATELIMIT_ENABLED": "0",
        "WIDGET_DEMO": "0",
    }


def run(work: Path) -> tuple[list[Row], Row]:
    port = free_port()
    env = server_env(work, port)
    print("Seeding threads of " + ", ".join(f"{n:,}" for n in THREADS) + " comments …", flush=True)
    seed(env)
    log = work / "gunicorn.log"
    print(f"Measuring /embed/thread with {WRK_COMMAND} …", flush=True)
    with gunicorn("wsgi:app", ROOT, env, port, log) as base:
        threads = measure_threads(base)
    reference = next(row for row in threads if row.comments == REFERENCE)
    print("Measuring the ceiling …", flush=True)
    ceiling_env = {**os.environ, "BENCH_BODY_BYTES": str(reference.size)}
    with gunicorn("ceiling_app:app", BENCH, ceiling_env, free_port(), log) as base:
        ceiling = measure_ceiling(base, reference.size)
    return threads, ceiling


def git(*args: str) -> str:
    command = ["git", "-C", str(ROOT), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def code_version() -> str:
    """The commit measured, and whether the app's files differed from it."""
    changed = git("status", "--porcelain", "--", "widget", "templates", "static", "migrations")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def table(threads: list[Row], ceiling: Row) -> str:
    lines = [
        "| Page | Comments | Bytes | Gzipped | Req/s | Of ceiling |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for row in [*threads, ceiling]:
        lines.append(
            f"| {row.label} | {f'{row.comments:,}' if row.comments else '—'} | {row.size:,} "
            f"| {f'{row.gzipped:,}' if row.gzipped else '—'} | {row.rate:,.0f} "
            f"| {row.rate / ceiling.rate:.1%} |"
        )
    return "\n".join(lines)


def report(threads: list[Row], ceiling: Row, code: str, load: float) -> str:
    cpus = len(os.sched_getaffinity(0))  # what nproc counts
    return f"""# Thread view benchmark

Requests per second for the iframe's page, `GET /embed/thread?site=…&url=…&parent={ORIGIN}`,
served by `gunicorn -w {WORKERS} wsgi:app` (sync workers) from SQLite, loaded with
`{WRK_COMMAND}` on loopback after a {WARMUP_SECONDS} s warm-up. The ceiling is
`bench/ceiling_app.py`: Flask under the same gunicorn command returning a fixed body the size of
the {REFERENCE}-comment page, so it is as fast as this stack can serve that many bytes.
Gzipped is the page compressed at level {GZIP_LEVEL}; the app itself does not compress.

- Command: `make bench`
- Date: {date.today().isoformat()}
- Code: commit {code}
- Machine: {cpus} CPUs (nproc), {platform.system()} {platform.machine()}, Python \
{platform.python_version()}, gunicorn {version("gunicorn")}, Flask {version("flask")}, \
SQLAlchemy {version("sqlalchemy")}; load average {load:.2f} (1 min) before the run

{table(threads, ceiling)}

Figures are from one run on a noisy {cpus}-core machine where wrk shares the CPUs with
the server: compare ratios within a run, not absolute figures across runs or machines.
"""


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `make bench`, which installs it.")
    load = os.getloadavg()[0]  # other work on the machine skews every figure
    code = code_version()  # before the run, which takes a minute
    (BENCH / ".work").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=BENCH / ".work", prefix="thread-view-") as work:
        threads, ceiling = run(Path(work))
    RESULTS.write_text(report(threads, ceiling, code, load))
    print("\n" + table(threads, ceiling) + f"\n\nWritten to {RESULTS.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
