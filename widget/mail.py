"""Outgoing email over SMTP: the settings WIDGET_SMTP_* and WIDGET_MAIL_FROM."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app

TIMEOUT_SECONDS = 10


def configured() -> bool:
    return bool(current_app.config.get("WIDGET_SMTP_HOST"))


def sender() -> str:
    config = current_app.config
    host = urlsplit(config["WIDGET_PUBLIC_URL"]).hostname or "localhost"
    return config.get("WIDGET_MAIL_FROM") or f"comments@{host}"


def send(to: str, subject: str, text: str) -> None:
    """Send one plain-text message; raises OSError / smtplib.SMTPException when it cannot."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = sender()
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(
        config["WIDGET_SMTP_HOST"], config["WIDGET_SMTP_PORT"], timeout=TIMEOUT_SECONDS
    ) as smtp:
        if config["WIDGET_SMTP_STARTTLS"]:
            smtp.starttls()
        if config.get("WIDGET_SMTP_USER"):
            smtp.login(config["WIDGET_SMTP_USER"], config.get("WIDGET_SMTP_PASSWORD", ""))
        smtp.send_message(message)
