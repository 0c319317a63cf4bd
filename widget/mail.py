"""Outgoing email over SMTP: the settings WIDGET_SMTP_* and WIDGET_MAIL_FROM."""

from __future__ import annotations

import smtplib
import unicodedata
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app

TIMEOUT_SECONDS = 10
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
    config = current_app.config
    host = urlsplit(config["WIDGET_PUBLIC_URL"]).hostname or "localhost"
    return config.get("WIDGET_MAIL_FROM") or f"comments@{host}"


def send(to: str, subject: str, text: str) -> None:
    """Send one plain-text message; raises Unsendable for a header that is not one line of
    text, OSError / smtplib.SMTPException when the server cannot be reached or refuses."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = header(sender())
    message["To"] = header(to)
    message["Subject"] = header(subject)
    message.set_content(text)
    with smtplib.SMTP(
        config["WIDGET_SMTP_HOST"], config["WIDGET_SMTP_PORT"], timeout=TIMEOUT_SECONDS
    ) as smtp:
        if config["WIDGET_SMTP_STARTTLS"]:
            smtp.starttls()
        if config.get("WIDGET_SMTP_USER"):
            smtp.login(config["WIDGET_SMTP_USER"], config.get("WIDGET_SMTP_PASSWORD", ""))
        smtp.send_message(message)
