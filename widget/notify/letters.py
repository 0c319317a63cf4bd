"""The emails readers are sent, written from templates/email/: what each says and the headers
that let a mail client unsubscribe in one click (RFC 8058)."""

from __future__ import annotations

from flask import current_app, render_template

from ..comments.formatting import author
from ..models import Comment, Site, Thread
from .outbox import Letter


def links(token: str) -> dict[str, str]:
    base = current_app.config["WIDGET_PUBLIC_URL"]
    return {
        "confirm": f"{base}/notify/confirm/{token}",
        "unsubscribe": f"{base}/notify/unsubscribe/{token}",
    }


def unsubscribe_headers(token: str) -> tuple[tuple[str, str], ...]:
    return (
        ("List-Unsubscribe", f"<{links(token)['unsubscribe']}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )


def _site(thread: Thread) -> Site:
    return thread.site


def _one_line(text: str, longest: int = 150) -> str:
    """`text` fit for a Subject: on one line, and not too long."""
    line = " ".join(text.split())
    return line if len(line) <= longest else line[: longest - 1] + "\u2026"


def confirmation(to: str, thread: Thread, token: str) -> Letter:
    """The one email an unconfirmed address is sent: nothing in it is a commenter's words,
    only the site's name and the page's title, so that it relays no stranger's message."""
    values = {"site": _site(thread), "thread": thread, "links": links(token)}
    return Letter(
        recipient=to,
        subject=_one_line(f"Confirm reply emails from {_site(thread).name}"),
        text=render_template("email/confirm.txt", **values),
        html=render_template("email/confirm.html", **values),
        headers=unsubscribe_headers(token),
    )


def reply(to: str, thread: Thread, comment: Comment, token: str) -> Letter:
    """A reply to a comment `to` asked to be told of: its words and a link to it on the page."""
    values = {
        "site": _site(thread),
        "thread": thread,
        "reply": comment,
        "who": author(comment).name,
        "link": f"{thread.url}#comment-{comment.id}",
        "links": links(token),
    }
    return Letter(
        recipient=to,
        subject=_one_line(f"New reply on {thread.title or _site(thread).name}"),
        text=render_template("email/reply.txt", **values),
        html=render_template("email/reply.html", **values),
        headers=unsubscribe_headers(token),
    )
