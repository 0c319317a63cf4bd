"""The real service under gunicorn, for tests that need several workers or several servers."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BLOG = "https://blog.example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a server of the service; every server of one test shares it."""
    return (
        os.environ
        | {
            "WIDGET_DATABASE_URL": database_url,
            "WIDGET_INSTANCE_PATH": str(instance),
            "WIDGET_SECRET_KEY": "test-" + secrets.token_hex(8),
            "WIDGET_PUBLIC_URL": "http://127.0.0.1",
            "WIDGET_RATELIMIT_PREFIX": "t" + secrets.token_hex(6),
            "WIDGET_DEMO": "0",
            "WIDGET_SPAM_CHECKS": "0",  # load tests: no form, no honeypot
        }
        | settings
    )


def widget(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([BIN / "widget", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    return done.stdout


def create_site(env: dict[str, str]) -> str:
    """A fresh schema's site for https://blog.example.com; its key."""
    widget(env, "db", "upgrade")
    return json.loads(widget(env, "sites", "create", "--name", "B", "--origin", BLOG, "--json"))[
        "key"
    ]


@dataclass(frozen=True)
class Server:
    url: str
    log: Path  # access log lines: "<worker pid> <status>"

    def answered_by(self, statuses: str) -> set[str]:
        lines = [line.split() for line in self.log.read_text().splitlines()]
        return {pid for pid, status in lines if status in statuses.split()}


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], log: Path, workers: int = 2, options: Sequence[str] = ()
) -> Iterator[Server]:
    """A server of `workers` workers, once every worker answers; stopped at the end.
    `options`: more of gunicorn's (e.g. --worker-class gthread --threads 4)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [BIN / "gunicorn", "-w", str(workers), *options, "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env | {"WIDGET_PUBLIC_URL": url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        server = Server(url, log)
        _wait_for_workers(server, workers)
        yield server
    finally:
        stop(process)


def documented_gunicorn() -> tuple[int, list[str]]:
    """The workers and the other options (without bind and app) of the first gunicorn command
    in docs/install.md, the single-machine production setup, for `gunicorn(...)` to run."""
    text = (ROOT / "docs" / "install.md").read_text()
    line = next(line for line in text.splitlines() if re.match(r"\S*gunicorn\s", line))
    args = shlex.split(line)[1:]
    workers, options = 1, []
    while args:
        arg = args.pop(0)
        if arg in ("-b", "--bind"):
            args.pop(0)
        elif arg in ("-w", "--workers"):
            workers = int(args.pop(0))
        elif arg != "wsgi:app":
            options.append(arg)
    return workers, options


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's master passes it on to its workers); SIGKILL if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _wait_for_workers(server: Server, count: int, seconds: float = 30) -> None:
    """Until `count` workers have answered: a later one boots after the first is ready."""
    deadline = time.monotonic() + seconds
    while True:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _: _ping(server.url), range(8)))
        if server.log.exists() and len(server.answered_by("200")) >= count:
            return
        assert time.monotonic() < deadline, f"gunicorn's {count} workers did not all answer"
        time.sleep(0.2)


def _ping(url: str) -> None:
    # Not up yet, or slow on a busy machine: the caller's deadline decides, not this request.
    with contextlib.suppress(requests.RequestException):
        requests.get(f"{url}/embed.js", headers={"Connection": "close"}, timeout=5)


def post(url: str, key: str, n: int, page: str = f"{BLOG}/p/") -> int:
    """A guest's comment, on a new connection (so that every worker takes some)."""
    payload = {"site": key, "url": page, "body": f"Comment {n}", "author_name": "Ann",
               "author_email": "ann@example.com"}  # fmt: skip
    headers = {"X-Requested-With": "XMLHttpRequest", "Connection": "close"}
    return requests.post(
        f"{url}/api/v1/comments", json=payload, headers=headers, timeout=30
    ).status_code
