"""Outgoing email over SMTP: the settings WIDGET_SMTP_* and WIDGET_MAIL_FROM.

`compose` builds a message (plain text, and HTML beside it when given) with everything a
receiving server and a mail client expect of an automatic message; `deliver` hands it to the
mail server, giving up after WIDGET_SMTP_TIMEOUT seconds of silence at any step.
"""

from __future__ import annotations

import smtplib
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app

# A line break in a header value would start a header of whoever wrote the text.
_NOT_IN_HEADERS = {"Cc", "Cs", "Zl", "Zp"}


class Unsendable(ValueError):
    """A header value that is not one line of text: the message is not built, let alone sent."""


def header(value: str) -> str:
    """`value`, checked to be one line of text that is safe in a header."""
    if any(unicodedata.category(c) in _NOT_IN_HEADERS for c in value):
        raise Unsendable(f"not one line of text: {value!r}")
    return value


def configured() -> bool:
    return bool(current_app.config.get("WIDGET_SMTP_HOST"))


def sender() -> str:
    return current_app.config.get("WIDGET_MAIL_FROM") or f"comments@{public_host()}"


def public_host() -> str:
    return urlsplit(current_app.config["WIDGET_PUBLIC_URL"]).hostname or "localhost"


def new_message_id() -> str:
    """A Message-ID of our own domain, unique to one message however often it is sent."""
    return make_msgid(domain=public_host())


def compose(
    to: str,
    subject: str,
    text: str,
    html: str = "",
    *,
    message_id: str | None = None,
    date: datetime | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> EmailMessage:
    """The message: From the service, automatic (RFC 3834's Auto-Submitted, so that no
    vacation responder answers it), multipart when there is an HTML part."""
    message = EmailMessage()
    message["From"] = header(sender())
    message["To"] = header(to)
    message["Subject"] = header(subject)
    message["Date"] = (
        format_datetime(date) if date else format_datetime(datetime.now().astimezone())
    )
    message["Message-ID"] = header(message_id or new_message_id())
    message["Auto-Submitted"] = "auto-generated"
    for name, value in headers:
        message[header(name)] = header(value)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message: EmailMessage) -> None:
    """Hand `message` to the mail server; raises OSError (a timeout among them) or
    smtplib.SMTPException when it cannot be reached, hangs or refuses."""
    config = current_app.config
    with smtplib.SMTP(
        config["WIDGET_SMTP_HOST"],
        config["WIDGET_SMTP_PORT"],
        timeout=config["WIDGET_SMTP_TIMEOUT"],
    ) as smtp:
        if config["WIDGET_SMTP_STARTTLS"]:
            smtp.starttls()
        if config.get("WIDGET_SMTP_USER"):
            smtp.login(config["WIDGET_SMTP_USER"], config.get("WIDGET_SMTP_PASSWORD", ""))
        smtp.send_message(message)


def send(to: str, subject: str, text: str) -> None:
    """Send one plain-text message now (the dashboard's invitations, whose owner waits for the
    answer); raises Unsendable for a header that is not one line of text, OSError /
    smtplib.SMTPException when the server cannot be reached or refuses."""
    deliver(compose(to, subject, text))
