"""Who is signed in to the dashboard, and the one place that scopes every lookup to them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from .. import owner_sessions, owners
from ..extensions import db
from ..models import Comment, Owner, OwnerSession, Site, Thread

# The session cookie names a server-side session (owner_sessions), never an owner's id: a
# copy of the cookie stops working when that session ends.
SESSION_KEY = "owner_session"
P = ParamSpec("P")
R = TypeVar("R")


def current_session() -> OwnerSession | None:
    """The signed-in browser's live session, if any."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    # Kept for the request, but only for the token the cookie carries: `g` can outlive a
    # request (tests, the CLI), and must never hand one browser's session to another.
    cached = g.get("owner")
    if cached is None or cached[0] != token:
        g.owner = (token, owner_sessions.find(token))
    record: OwnerSession | None = g.owner[1]
    return record


def current_owner() -> Owner | None:
    record = current_session()
    return record.owner if record is not None else None


def sign_in(owner: Owner) -> None:
    """A fresh session for this owner: nothing from before signing in survives (fixation)."""
    sign_out()
    token = owner_sessions.start(owner, request.headers.get("User-Agent", ""))
    session[SESSION_KEY] = token


def sign_out() -> None:
    """End this browser's session on the server too, so that no copy of its cookie works."""
    record = current_session()
    if record is not None:
        owner_sessions.end(record)
    session.clear()
    g.pop("owner", None)


def safe_next(target: object, default: str = "") -> str:
    """A path on this service to go to after signing in; anything else becomes `default`."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default or url_for("dashboard.home")
    if "\\" in target or any(ord(c) < 32 for c in target) or urlsplit(target).netloc:
        return default or url_for("dashboard.home")
    return target


def login_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if current_owner() is None:
            return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def owned_site(site_id: int, role: str = "moderator") -> Site:
    """The site with this id if the signed-in owner manages it, else 404.

    Every dashboard lookup starts here, so an owner who guesses another site's ids learns
    nothing, not even that the site exists. `role="owner"` refuses moderators (403).
    """
    owner = current_owner()
    site = db.session.scalar(
        select(Site).where(Site.id == site_id).options(selectinload(Site.origins))
    )
    their_role = owners.role_on(owner, site) if owner and site else None
    if site is None or their_role is None:
        abort(404)
    if role == "owner" and their_role != "owner":
        abort(403)
    g.site, g.role = site, their_role
    return site


def owned_thread(site_id: int, thread_id: int) -> tuple[Site, Thread]:
    site = owned_site(site_id)
    thread = db.session.get(Thread, thread_id)
    if thread is None or thread.site_id != site.id:
        abort(404)
    return site, thread


def owned_comment(site_id: int, comment_id: int) -> tuple[Site, Comment]:
    site = owned_site(site_id)
    comment = db.session.scalar(
        select(Comment)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Comment.id == comment_id, Thread.site_id == site.id)
    )
    if comment is None:
        abort(404)
    return site, comment
