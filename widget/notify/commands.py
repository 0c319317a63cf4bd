"""`widget mail`: the outbox's worker, and what the operator sees of it."""

from __future__ import annotations

import contextlib
import threading

import click
from flask import current_app

from . import outbox

mail_group = click.Group("mail", help="Send the outbox; see and retry what could not be sent.")


@mail_group.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between looks when idle.")
def work_command(once: bool, poll: float) -> None:
    """Send queued email until stopped (Ctrl-C), retrying failures with growing waits."""
    if not current_app.config.get("WIDGET_SMTP_HOST"):
        raise click.UsageError("WIDGET_SMTP_HOST is not set: there is no mail server to send to.")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it between two sends
        outbox.work(app, threading.Event(), once=once, poll=poll)


@mail_group.command("status")
def status_command() -> None:
    """How many emails are queued, being sent, sent and dead, and the dead ones."""
    counts = outbox.counts()
    click.echo("  ".join(f"{state}={n}" for state, n in counts.items()))
    for row in outbox.dead():
        click.echo(f"dead #{row.id} to {row.recipient} ({row.attempts} attempts): {row.last_error}")


@mail_group.command("retry")
def retry_command() -> None:
    """Queue every dead email again, with a fresh count of attempts."""
    click.echo(f"{outbox.retry_dead()} dead emails queued again.")
