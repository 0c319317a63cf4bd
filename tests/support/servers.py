"""The real service under gunicorn, and its `widget` command: for the tests that need real
servers (several workers, several servers, a browser) and for the benchmark.

`service_env` is a server's environment (its database, instance folder and secret), `widget`
runs the CLI in it (migrations, sites), and `gunicorn` serves an app until its `with` block
ends: on a free loopback port, ready once it answers (with an access log: once every worker
has), its output kept in a file and shown when it fails to start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.blog import BLOG

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # not resolved: the venv's own commands
HOST = "127.0.0.1"
STARTUP_SECONDS = 30
STOP_SECONDS = 15


class HarnessError(RuntimeError):
    """A server did not start, or a command failed; the message ends with what it printed."""


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def service_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a server of the service; every server of one test shares it.
    Rate limits count under a prefix of its own, and the widget form's spam checks are off
    (load tests post without the form) unless `settings` say otherwise."""
    return (
        dict(os.environ)
        | {
            "WIDGET_DATABASE_URL": database_url,
            "WIDGET_INSTANCE_PATH": str(instance),
            "WIDGET_SECRET_KEY": secrets.token_urlsafe(32),
            "WIDGET_PUBLIC_URL": f"http://{HOST}",
            "WIDGET_RATELIMIT_PREFIX": "t" + secrets.token_hex(6),
            "WIDGET_DEMO": "0",
            "WIDGET_SPAM_CHECKS": "0",
        }
        | settings
    )


def widget(env: dict[str, str], *args: str, input: str | None = None) -> str:
    """`widget ARGS...` in this environment, as an operator runs it; what it printed."""
    done = subprocess.run([BIN / "widget", *args], cwd=ROOT, env=env, input=input,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    if done.returncode != 0:
        raise HarnessError(f"widget {shlex.join(args)} exited with {done.returncode}:\n"
                           f"{done.stderr}")  # fmt: skip
    return done.stdout


def create_site(env: dict[str, str], origin: str = BLOG, name: str = "B") -> str:
    """Migrate a new database, register a site for `origin` on it; the site's key."""
    widget(env, "db", "upgrade")
    created = json.loads(widget(env, "sites", "create", "--name", name, "--origin", origin,
                                "--json"))  # fmt: skip
    key: str = created["key"]
    return key


@dataclass(frozen=True)
class Service:
    """A service's address and environment, for its CLI to work on what it serves."""

    url: str
    env: dict[str, str]

    def cli(self, *args: str, input: str | None = None) -> str:
        return widget(self.env, *args, input=input)


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]  # gunicorn's master
    output: Path  # what gunicorn printed
    log: Path | None = None  # access log lines: "<worker pid> <status>"

    def answered_by(self, statuses: str | None = None) -> set[str]:
        """The workers (pids) that answered with one of `statuses` ("200 201"), or at all."""
        assert self.log is not None, "this server keeps no access log"
        lines = [line.split() for line in self.log.read_text().splitlines()]
        return {pid for pid, status in lines if statuses is None or status in statuses.split()}

    def printed(self) -> str:
        try:
            return self.output.read_text(errors="replace")
        except OSError:
            return ""


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    log: Path | None = None,
    workers: int = 2,
    options: Sequence[str] = (),
    *,
    output: Path | None = None,
    port: int | None = None,
    app: str = "wsgi:app",
    program: Path = BIN / "gunicorn",
    cwd: Path = ROOT,
    ready_path: str = "/embed.js",
) -> Iterator[Server]:
    """`app` served by `workers` sync workers on 127.0.0.1 (`port`, or a free one) until the
    block ends, with WIDGET_PUBLIC_URL set to its address. `log`: an access log, and then the
    block starts once every worker has answered, not only the first. `output` (by default
    beside `log`) keeps what gunicorn prints. `options`: more of gunicorn's own."""
    if output is None:
        if log is None:
            raise ValueError("gunicorn() needs a log or an output file")
        output = log.with_suffix(".out")
    port = port or free_port()
    url = f"http://{HOST}:{port}"
    access = ["--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s"] if log else []
    command = [str(program), "-w", str(workers), *options, "-b", f"{HOST}:{port}", *access, app]
    with output.open("ab") as out:
        # A session of its own: a master that hangs is killed with its workers.
        process = subprocess.Popen(command, cwd=cwd, env=env | {"WIDGET_PUBLIC_URL": url},
                                   stdout=out, stderr=out, start_new_session=True)  # fmt: skip
    server = Server(url, process, output, log)
    try:
        _wait_until_ready(server, workers if log else 1, ready_path)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's master passes it on to its workers); SIGKILL to its process group
    (or to it alone, when it has none of its own) if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.wait(timeout=5)


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


def post(url: str, key: str, n: int, page: str = f"{BLOG}/p/") -> int:
    """A guest's comment, on a new connection (so that every worker takes some)."""
    payload = {"site": key, "url": page, "body": f"Comment {n}", "author_name": "Ann",
               "author_email": "ann@example.com"}  # fmt: skip
    headers = {"X-Requested-With": "XMLHttpRequest", "Connection": "close"}
    return requests.post(
        f"{url}/api/v1/comments", json=payload, headers=headers, timeout=30
    ).status_code


def _wait_until_ready(server: Server, workers: int, path: str) -> None:
    """Until `workers` workers have answered `path` (a later one boots after the first is
    ready); counted in the access log when there are several."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.process.poll() is not None:
            raise HarnessError(
                f"gunicorn exited with {server.process.returncode}:\n{server.printed()}"
            )
        if workers == 1:
            if _answers(server.url + path):
                return
        else:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda _: _answers(server.url + path), range(8)))
            if server.log and server.log.exists() and len(server.answered_by()) >= workers:
                return
        if time.monotonic() > deadline:
            raise HarnessError(f"gunicorn's {workers} workers did not all answer within "
                               f"{STARTUP_SECONDS} s:\n{server.printed()}")  # fmt: skip
        time.sleep(0.1)


def _answers(url: str) -> bool:
    """Whether the server answers at all (a 404 is an answer), on a new connection."""
    # Not up yet, or slow on a busy machine: the caller's deadline decides, not this request.
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True
