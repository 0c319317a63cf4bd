"""Servers the benchmark starts: gunicorn for each app and a static blog; each one is stopped
when its `with` block ends, also on error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SERVICE_HOST = "127.0.0.1"
BLOG_HOST = "127.0.0.2"  # another site than the services: any 127.x address answers on loopback
WORKERS = 2  # the same for every app measured
STARTUP_SECONDS = 30
# Before each measurement every server must be idle: under this share of one CPU, for a while.
IDLE_CPU_SHARE = 0.05
IDLE_SAMPLE_SECONDS = 0.5
IDLE_WAIT_SECONDS = 300  # Isso's backlog at 2,000 comments took about 20 s here

_serving: dict[str, subprocess.Popen[bytes]] = {}  # base URL → gunicorn master, while it serves


class BenchError(RuntimeError):
    """The benchmark could not run as intended; its figures would mean nothing."""


def free_port(host: str = SERVICE_HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(
    gunicorn_bin: Path, app: str, cwd: Path, env: dict[str, str], port: int, log: Path
) -> Iterator[str]:
    """Serve `app` with sync workers; its base URL while it runs, then stop it."""
    base = f"http://{SERVICE_HOST}:{port}"
    command = [str(gunicorn_bin), "-w", str(WORKERS), "-b", f"{SERVICE_HOST}:{port}", app]
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=out, start_new_session=True
        )
    try:
        wait_until_ready(server, base, log)
        _serving[base] = server
        yield base
    finally:
        _serving.pop(base, None)
        stop(server)


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
    masters = {server.pid for server in _serving.values()}
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


def wait_until_ready(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
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
    raise BenchError(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master, which stops its workers; SIGKILL to its process group if stuck."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


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
