"""Idle connections against the documented production server: a browser's preconnect (or
anyone) opens a connection and sends nothing. A sync worker that accepted it waits on it until
its timeout (30 s), so a few such connections leave no worker for real readers.

The production command in docs/install.md runs threaded workers, which park silent connections
and go on serving: a reader's request is answered at once while more silent connections are
open than there are workers.
"""

from __future__ import annotations

import contextlib
import socket
import time
from urllib.parse import urlsplit

import requests

from tests.support import servers


def test_the_documented_server_answers_while_silent_connections_are_open(tmp_path):
    workers, options = servers.documented_gunicorn()
    assert "gthread" in options, "docs/install.md: one idle connection pins a sync worker"
    env = servers.service_env(f"sqlite:///{tmp_path / 'widget.db'}", tmp_path / "instance")
    servers.create_site(env)
    with servers.gunicorn(env, tmp_path / "access.log", workers, options) as server:
        address = urlsplit(server.url)
        with contextlib.ExitStack() as stack:
            for _ in range(workers * 2):
                silent = stack.enter_context(socket.create_connection(
                    (address.hostname, address.port), timeout=5
                ))  # fmt: skip
                assert silent.fileno() >= 0
            time.sleep(0.5)  # each has been accepted by a worker by now
            started = time.monotonic()
            response = requests.get(f"{server.url}/embed.js", timeout=20)
            assert response.status_code == 200
            assert time.monotonic() - started < 2, "a silent connection held up a reader"
