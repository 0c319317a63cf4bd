"""Thread and site versions, bumped by every change a reader could see.

One hook on the session, rather than a call in every service that writes: a comment posted,
approved, edited or deleted (by anyone, the dashboard and command line included) moves its
thread's version, a signed-in author's new name, link or picture the versions of every thread
they commented on, a changed setting its site's, and the page cache keyed by them never serves
a stale thread.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from ..models import Comment, Site, SiteOrigin, Thread, User

# What pages show of a signed-in author (comments/formatting.py's author()).
SHOWN_OF_USERS = ("name", "profile_url", "avatar_version")


@event.listens_for(Session, "before_flush")
def _bump_versions(session: Session, _context: Any, _instances: Any) -> None:
    threads: set[int] = set()
    sites: set[int] = set()
    users: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Comment):
            thread_id = obj.thread_id or (obj.thread.id if obj.thread is not None else None)
            if thread_id:  # a new thread starts at version 1 anyway
                threads.add(thread_id)
        elif isinstance(obj, Thread) and obj.id and obj not in session.new:
            threads.add(obj.id)
        elif isinstance(obj, Site) and obj.id and obj not in session.new:
            sites.add(obj.id)
        elif isinstance(obj, SiteOrigin):
            site_id = obj.site_id or (obj.site.id if obj.site is not None else None)
            if site_id:
                sites.add(site_id)
        elif isinstance(obj, User) and obj.id and obj in session.dirty:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in SHOWN_OF_USERS):
                users.add(obj.id)
    # In SQL (version = version + 1): another writer's bump in the meantime is not lost.
    for thread_id in threads:
        if (thread := session.get(Thread, thread_id)) is not None:
            thread.version = Thread.version + 1
    for site_id in sites:
        if (site := session.get(Site, site_id)) is not None:
            site.version = Site.version + 1
    if users:
        _bump_threads_of(session, users, skip=threads)


def _bump_threads_of(session: Session, users: set[int], skip: set[int]) -> None:
    """Every page the users commented on shows them as they are now: one UPDATE, however many
    threads (an author of thousands of comments may sign in with a new name)."""
    commented = select(Comment.thread_id).where(Comment.user_id.in_(users))
    bump = update(Thread).where(Thread.id.in_(commented)).values(version=Thread.version + 1)
    if skip:  # already moved above, by the comment or thread changed in this flush
        bump = bump.where(Thread.id.not_in(skip))
    session.execute(bump, execution_options={"synchronize_session": False})
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Thread) and obj.id not in skip:
            session.expire(obj, ["version"])  # read again when next asked for
