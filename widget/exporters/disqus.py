"""A site's comments in the format of Disqus's export (Admin → Community → Export), which Isso
(`isso import --empty-id`), Remark42 and Schnack import.

The file is laid out as Disqus lays it: one <category>, every thread, then every post, each
post naming its thread and its parent by dsq:id (the thread's and the comment's ids here).
Threads and posts are each read a thread at a time (rows.py), in two passes over the threads.

The format knows two states besides a visible post: isDeleted and isSpam. It has no "awaiting
approval" (Disqus's real exports have no isApproved), and the programs that read it publish
whatever is not marked deleted; Isso's importer even ignores isSpam. So every comment readers
here do not see, pending, spam or deleted, goes as a deleted post (isSpam true for spam) with
no message and no author, the way a deleted Disqus post keeps its replies in place: a reply
keeps its parent, and nothing held back here becomes visible there. Pending comments are thus
not carried over as waiting for approval; the WXR and JSON exports keep them.
"""

from __future__ import annotations

from typing import BinaryIO

from ..models import Comment, Site, Status, Thread
from .rows import comments_of, threads_of
from .xmlout import XmlWriter, utc

NAMESPACE = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
DISQUS_TIME = "%Y-%m-%dT%H:%M:%SZ"
CATEGORY_ID = "1"


def write(site: Site, out: BinaryIO) -> dict[str, int]:
    """Write the site's threads and comments to `out`; the counts written."""
    xml = XmlWriter(out)
    xml.raw('<?xml version="1.0" encoding="UTF-8"?>\n')
    xml.start("disqus", {"xmlns": NAMESPACE, "xmlns:dsq": INTERNALS})
    xml.start("category", {"dsq:id": CATEGORY_ID})
    xml.element("forum", site.key)
    xml.element("title", "General")
    xml.element("isDefault", "true")
    xml.end("category")
    counts = {"threads": 0, "comments": 0}
    for thread in threads_of(site):
        _thread(xml, site, thread)
        counts["threads"] += 1
    for thread in threads_of(site):
        for comment in comments_of(thread):
            _post(xml, comment)
            counts["comments"] += 1
    xml.end("disqus")
    return counts


def _thread(xml: XmlWriter, site: Site, thread: Thread) -> None:
    xml.start("thread", {"dsq:id": str(thread.id)})
    # A Disqus thread's <id> is the identifier the page gave Disqus; here a page is its URL.
    xml.element("id", thread.url)
    xml.element("forum", site.key)
    xml.element("category", attrs={"dsq:id": CATEGORY_ID})
    xml.element("link", thread.url)
    xml.element("title", thread.title)
    xml.element("message")
    xml.element("createdAt", utc(thread.created_at, DISQUS_TIME))
    xml.element("isClosed", "false")
    xml.element("isDeleted", "false")
    xml.end("thread")


def _post(xml: XmlWriter, comment: Comment) -> None:
    seen = comment.status == Status.PUBLISHED.value
    xml.start("post", {"dsq:id": str(comment.id)})
    xml.element("id")
    xml.cdata_element("message", comment.html if seen else "")
    xml.element("createdAt", utc(comment.created_at, DISQUS_TIME))
    xml.element("isDeleted", "false" if seen else "true")
    xml.element("isSpam", "true" if comment.status == Status.SPAM.value else "false")
    xml.start("author")
    xml.element("email", comment.author_email if seen else "")
    xml.element("name", comment.author_name if seen else "")
    # Disqus's "anonymous" is a guest: no account behind the name.
    xml.element("isAnonymous", "false" if comment.user_id and seen else "true")
    xml.end("author")
    xml.element("thread", attrs={"dsq:id": str(comment.thread_id)})
    if comment.parent_id is not None:
        xml.element("parent", attrs={"dsq:id": str(comment.parent_id)})
    xml.end("post")
