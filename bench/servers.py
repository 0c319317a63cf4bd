"""Servers the benchmark starts: gunicorn for each app and a static blog; each one is stopped
when its `with` block ends, also on error."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support import servers as harness

BLOG_HOST = "127.0.0.2"  # another site than the services: any 127.x address answers on loopback
WORKERS = 2  # the same for every app measured
# Before each measurement every server must be idle: under this share of one CPU, for a while.
IDLE_CPU_SHARE = 0.05
IDLE_SAMPLE_SECONDS = 0.5
IDLE_WAIT_SECONDS = 300  # Isso's backlog at 2,000 comments took about 20 s here

_serving: dict[str, int] = {}  # base URL → gunicorn master's pid, while it serves


class BenchError(RuntimeError):
    """The benchmark could not run as intended; its figures would mean nothing."""


@contextmanager
def gunicorn(
    gunicorn_bin: Path, app: str, cwd: Path, env: dict[str, str], port: int, log: Path
) -> Iterator[str]:
    """Serve `app` with sync workers (the tests' harness, without an access log, which would
    cost every request some time); its base URL while it runs, then stop it."""
    serving = harness.gunicorn(env, workers=WORKERS, output=log, port=port, app=app,
                               program=gunicorn_bin, cwd=cwd, ready_path="/")  # fmt: skip
    with ExitStack() as stack:
        try:
            server = stack.enter_context(serving)
        except harness.HarnessError as error:
            raise BenchError(str(error)) from error
        _serving[server.url] = server.process.pid
        try:
            yield server.url
        finally:
            _serving.pop(server.url, None)


def wait_until_idle() -> float:
    """Waits until no server is still answering an earlier load; the seconds that took.

    Sync workers answer every request wrk left queued when it stopped, closed or not: a slow
    server (Isso at 2,000 comments) goes on working long after its measurement, and would take
    CPU from whatever is measured next."""
    start = time.monotonic()
    before = _cpu_seconds()
    while True:
        time.sleep(IDLE_SAMPLE_SECONDS)
        now = _cpu_seconds()
        if now - before < IDLE_CPU_SHARE * IDLE_SAMPLE_SECONDS:
            return time.monotonic() - start
        if time.monotonic() - start > IDLE_WAIT_SECONDS:
            raise BenchError(f"the servers were still busy after {IDLE_WAIT_SECONDS} s")
        before = now


def _cpu_seconds() -> float:
    """CPU time used so far by every serving gunicorn: its master and its workers."""
    masters = set(_serving.values())
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # the fields after the command's closing parenthesis, from state on
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue  # ended meanwhile
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(
        (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        for pid, fields in stats.items()
        if pid in masters or int(fields[1]) in masters  # fields[1]: the parent's pid
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def static_site(folder: Path, port: int) -> Iterator[str]:
    """The blog: `folder` served on BLOG_HOST from a thread of this process."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer((BLOG_HOST, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{BLOG_HOST}:{port}"
    finally:
        server.shutdown()
        server.server_close()
