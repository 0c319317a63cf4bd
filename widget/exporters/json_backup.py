"""A complete backup of one site as JSON, which `widget import --format json` restores
(importers/json_backup.py) and docs/export-schema.json describes:

    {"format": "widget-backup", "version": 1, "exported_at": ..., "site": {settings},
     "threads": [{"id", "url", "title", "created_at", "comments": [...]}, ...]}

Every comment of every status is in it with its Markdown source and its HTML, its status and
the reason for it, and, for one that was imported, where from. What only this server should
know is left out: password, edit-key and IP hashes, tokens, accounts (a signed-in author is
kept as the name, email and provider the comment shows, not as a link to an account).

Written a thread at a time (rows.py), each thread one line of JSON, so memory does not grow
with the site. ASCII only (json's \\u escapes), so that the file is valid UTF-8 whatever text
a comment holds.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, BinaryIO

from ..models import Comment, Site, Thread, as_utc, utcnow
from ..sites import site_settings
from .rows import comments_of, sources_of, threads_of

FORMAT = "widget-backup"
VERSION = 1


def write(site: Site, out: BinaryIO) -> dict[str, int]:
    """Write the site's backup to `out`; the counts written."""
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _moment(utcnow()),
        "site": {"key": site.key, **site_settings(site)},
    }
    # The document's head, its "threads" array left open for the threads that follow.
    out.write(_dumps(head)[:-1].encode() + b', "threads": [')
    counts = {"threads": 0, "comments": 0}
    for thread in threads_of(site):
        comments = comments_of(thread)
        out.write(b"\n" if not counts["threads"] else b",\n")
        out.write(_dumps(_thread(thread, comments)).encode())
        counts["threads"] += 1
        counts["comments"] += len(comments)
    out.write(b"\n]}\n")
    return counts


def _thread(thread: Thread, comments: list[Comment]) -> dict[str, Any]:
    sources = sources_of(comments)
    return {
        "id": thread.id,
        "url": thread.url,
        "title": thread.title,
        "created_at": _moment(thread.created_at),
        "comments": [_comment(c, sources.get(c.id)) for c in comments],
    }


def _comment(comment: Comment, source: tuple[str, str] | None) -> dict[str, Any]:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_url": comment.author_url,
        "provider": comment.provider,
        "body": comment.body,
        "html": comment.html,
        "status": comment.status,
        "status_reason": comment.status_reason,
        "created_at": _moment(comment.created_at),
        "edited_at": _moment(comment.edited_at) if comment.edited_at else None,
        "source": {"source": source[0], "key": source[1]} if source else None,
    }


def _moment(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))
