"""Atom (RFC 4287) documents of comments. Every text is escaped by the writer; a comment's HTML,
sanitised when it was written, goes in as `type="html"`: escaped text, never markup of the feed.
Authors are named, with their link where they gave one, and never with their email."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from ..comments.formatting import author, isotime
from ..exporters.xmlout import XmlWriter
from ..models import Comment, Site, Thread, as_utc

NAMESPACE = "http://www.w3.org/2005/Atom"
# Bumped when what a feed says changes for the same comments: part of every feed's ETag.
FORMAT = "atom1"


def thread_feed(site: Site, thread: Thread, comments: Sequence[Comment], *, service: str,
                self_url: str) -> bytes:  # fmt: skip
    """A thread's feed: its newest published comments."""
    return _feed(
        feed_id=_tag(site, service, f"thread/{thread.id}"),
        title=f"Comments on {_page_name(thread)}",
        alternate=thread.url,
        self_url=self_url,
        updated=thread.created_at,
        site=site,
        comments=comments,
        service=service,
    )


def site_feed(site: Site, comments: Sequence[Comment], *, service: str, self_url: str) -> bytes:
    """A site's feed: its newest published comments, whichever page they are on."""
    return _feed(
        feed_id=_tag(site, service, "comments"),
        title=f"Comments on {site.name}",
        alternate=site.origin_list[0] + "/" if site.origin_list else None,
        self_url=self_url,
        updated=site.created_at,
        site=site,
        comments=comments,
        service=service,
    )


def newest(comments: Sequence[Comment], otherwise: datetime) -> datetime:
    """When the newest comment was written (comments come newest first)."""
    return as_utc(comments[0].created_at) if comments else as_utc(otherwise)


def _feed(*, feed_id: str, title: str, alternate: str | None, self_url: str, updated: datetime,
          site: Site, comments: Sequence[Comment], service: str) -> bytes:  # fmt: skip
    out = io.BytesIO()
    xml = XmlWriter(out)
    xml.raw('<?xml version="1.0" encoding="utf-8"?>\n')
    xml.start("feed", {"xmlns": NAMESPACE})
    xml.element("id", feed_id)
    xml.element("title", title)
    xml.element("updated", isotime(max([as_utc(updated), *map(_changed, comments)])))
    # Each entry names its own author; the feed's is who keeps it, for an empty one.
    xml.start("author")
    xml.element("name", site.name)
    xml.end("author")
    if alternate:
        xml.element("link", attrs={"rel": "alternate", "type": "text/html", "href": alternate})
    xml.element("link", attrs={"rel": "self", "type": "application/atom+xml", "href": self_url})
    for comment in comments:
        _entry(xml, site, comment, service)
    xml.end("feed")
    return out.getvalue()


def _entry(xml: XmlWriter, site: Site, comment: Comment, service: str) -> None:
    who = author(comment)
    xml.start("entry")
    xml.element("id", _tag(site, service, f"comment/{comment.id}"))
    xml.element("title", f"{who.name} on {_page_name(comment.thread)}")
    xml.element("published", isotime(comment.created_at))
    xml.element("updated", isotime(_changed(comment)))
    xml.start("author")
    xml.element("name", who.name)
    if who.url:
        xml.element("uri", who.url)
    xml.end("author")
    # Where the comment is on the blog: the anchor templates/embed/_comment.html gives it.
    permalink = f"{comment.thread.url}#comment-{comment.id}"
    xml.element("link", attrs={"rel": "alternate", "type": "text/html", "href": permalink})
    xml.element("content", comment.html, {"type": "html"})
    xml.end("entry")


def _changed(comment: Comment) -> datetime:
    return as_utc(comment.edited_at or comment.created_at)


def _page_name(thread: Thread) -> str:
    return f"“{thread.title}”" if thread.title else thread.url


def _tag(site: Site, service: str, specific: str) -> str:
    """A tag: URI (RFC 4151), which stays the entry's id when a page moves to another URL: the
    service's host, the day the site was made there, the site's key."""
    host = urlsplit(service).hostname or "localhost"
    return f"tag:{host},{as_utc(site.created_at):%Y-%m-%d}:{site.key}/{specific}"
