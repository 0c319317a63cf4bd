"""Disqus's export (Admin → Community → Export): under <disqus>, the forum's <category>s, then
its <thread>s (the pages), then every <post>, each naming its thread and the post it answers
by their dsq:id attributes.

Threads come before posts, so the threads' keys and whether each can be imported are kept
(threads are few: one per page); posts are never kept, and a reply may come before the post
it answers. A post Disqus marks deleted is still read, as DELETED: it may be what its replies
hang from.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from ..models import Status
from .records import Markup, ParseError, Record, Skipped, SourceComment, SourceThread
from .xml_safety import local_name, root_name, stream, text

_INTERNALS = "http://disqus.com/disqus-internals"
_DSQ_ID = f"{{{_INTERNALS}}}id"
_BOOLEANS = {"true": True, "false": False, "": False}

THREAD_DELETED = "thread deleted in Disqus"
ON_NO_THREAD = "on a thread not in the file"
NO_PAGE = "on a thread with no page URL (no <link>, no http(s) <id>)"


def sniff(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a Disqus export: a <disqus> root."""
    return root_name(head) == "disqus"


def read(path: Path) -> Iterator[Record]:
    """The threads and posts of a Disqus export, as they come: ParseError if it is not one."""
    # dsq:id → None for a thread that is read, or why its posts cannot be.
    threads: dict[str, str | None] = {}
    for event, element, depth in stream(path, depth=1):
        if depth == 0 and event == "start" and local_name(element.tag) != "disqus":
            raise ParseError(
                f"not a Disqus export: the file's root is <{local_name(element.tag)}>, not <disqus>"
            )
        if depth != 1:
            continue
        name = local_name(element.tag)
        if name == "thread":
            thread = _thread(element)
            if isinstance(thread, SourceThread):
                threads[thread.key] = None
                yield thread
            elif thread is not None:
                threads[thread[0]] = thread[1]
        elif name == "post":
            yield _post(element, threads)


def _thread(element: Element) -> SourceThread | tuple[str, str] | None:
    """The thread, or (its key, why its posts are skipped), or None with no dsq:id."""
    key = _dsq_id(element)
    if not key:
        return None  # nothing can name it: a post on it is ON_NO_THREAD
    if _child_text(element, "isDeleted").lower() == "true":
        return key, THREAD_DELETED
    link, page_id = _child_text(element, "link"), _child_text(element, "id")
    url = link or (page_id if page_id.startswith(("http://", "https://")) else "")
    if not url:
        return key, NO_PAGE
    return SourceThread(key, url, _child_text(element, "title"))


def _post(element: Element, threads: dict[str, str | None]) -> Record:
    key = _dsq_id(element)
    if not key:
        return Skipped(_child_text(element, "id"), "a post with no dsq:id")
    thread = _dsq_id(_child(element, "thread"))
    if not thread:
        return Skipped(key, "a post with no <thread dsq:id>")
    if thread not in threads:
        return Skipped(f"{key} (thread {thread})", ON_NO_THREAD)
    why = threads[thread]
    if why is not None:
        return Skipped(key, why)
    created_at = _date(_child_text(element, "createdAt"))
    if created_at is None:
        return Skipped(key, "a post whose <createdAt> is not an ISO 8601 date")
    deleted = _BOOLEANS.get(_child_text(element, "isDeleted").lower())
    spam = _BOOLEANS.get(_child_text(element, "isSpam").lower())
    if deleted is None or spam is None:
        return Skipped(key, "a post whose <isDeleted> or <isSpam> is neither true nor false")
    author = _child(element, "author")
    status = Status.DELETED if deleted else Status.SPAM if spam else Status.PUBLISHED
    return SourceComment(
        key=key,
        thread=thread,
        parent=_dsq_id(_child(element, "parent")) or None,
        author_name=_child_text(author, "name") or _child_text(author, "username"),
        author_email=_child_text(author, "email"),
        author_url="",
        body=_child_text(element, "message"),
        markup=Markup.HTML,
        created_at=created_at,
        status=status,
        ip=_child_text(element, "ipAddress"),
    )


def _child(element: Element | None, name: str) -> Element | None:
    """The first child of that local name, whatever namespace the export gave it."""
    if element is None:
        return None
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _child_text(element: Element | None, name: str) -> str:
    return text(_child(element, name))


def _dsq_id(element: Element | None) -> str:
    if element is None:
        return ""
    return (element.get(_DSQ_ID) or "").strip()


def _date(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)
