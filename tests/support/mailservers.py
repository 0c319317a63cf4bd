"""Mail servers for the email tests, on 127.0.0.1: the settings that point the app at one, and
two that misbehave: one that accepts connections and never says a word, one that refuses every
recipient."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from tests.support.servers import free_port

FROM = "comments@example.net"


def mail_settings(port: int, **more: object) -> dict[str, object]:
    """The app's settings for the mail server on `port` (plain SMTP, short timeouts)."""
    return {
        "WIDGET_SMTP_HOST": "127.0.0.1",
        "WIDGET_SMTP_PORT": port,
        "WIDGET_SMTP_STARTTLS": False,
        "WIDGET_MAIL_FROM": FROM,
        "WIDGET_SMTP_TIMEOUT": 1.0,
    } | more


@contextmanager
def silent_server() -> Iterator[int]:
    """A port where connections are accepted (by the kernel's backlog) and never answered."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


class Refusing:
    """Says 550 to every recipient, and counts how often it was asked."""

    def __init__(self) -> None:
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        with self.lock:
            self.refused += 1
        return "550 No such mailbox here"


@contextmanager
def refusing_server() -> Iterator[tuple[Refusing, int]]:
    handler = Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()
