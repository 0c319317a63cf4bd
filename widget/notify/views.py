"""The links in readers' emails: confirm reply emails, and unsubscribe, by a page with a
button or by the one-click POST of RFC 8058 that mail clients send. The token in the URL is
the only credential: no cookie, no session, no CSRF token (the blueprint is exempt)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..extensions import db
from ..models import Site, Subscriber
from . import subscriptions

bp = Blueprint("notify", __name__, url_prefix="/notify")


def _subscriber(token: str) -> Subscriber:
    subscriber = subscriptions.by_token(token)
    if subscriber is None:
        abort(404)
    return subscriber


def _page(name: str, subscriber: Subscriber, token: str, done: bool) -> str:
    site = db.session.get(Site, subscriber.site_id)
    return render_template(f"notify/{name}.html", site=site, token=token, done=done,
                           subscriber=subscriber)  # fmt: skip


# GET only shows a button: mail scanners open links, and must not confirm or unsubscribe.
@bp.get("/confirm/<token>")
def confirm_page(token: str) -> str:
    return _page("confirm", _subscriber(token), token, done=False)


@bp.post("/confirm/<token>")
def confirm(token: str) -> str:
    subscriber = _subscriber(token)
    subscriptions.confirm(subscriber)
    return _page("confirm", subscriber, token, done=True)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> str:
    return _page("unsubscribe", _subscriber(token), token, done=False)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> str:
    """The page's button, and RFC 8058's one-click POST (List-Unsubscribe=One-Click)."""
    subscriber = _subscriber(token)
    subscriptions.unsubscribe(subscriber)
    return _page("unsubscribe", subscriber, token, done=True)
