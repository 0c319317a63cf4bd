"""A site's comments as a WordPress eXtended RSS 1.2 file, the file WordPress's importer reads
(Tools → Import → WordPress), and Isso's `isso import` too.

Each thread is an <item>, a post whose wp:post_id is the thread's id and whose link is the
page's URL; its comments follow it, every status kept the way WordPress keeps it
(wp:comment_approved 1 published, 0 pending, "spam", "trash" for deleted), parents by
wp:comment_parent. Bodies are the comments' sanitised HTML. Times are UTC: the service keeps
no local time of the blog, so comment_date is comment_date_gmt. No IP address is kept here, so
comment_author_IP is empty. Written a thread at a time (rows.py).
"""

from __future__ import annotations

from email.utils import format_datetime
from typing import BinaryIO

from ..models import Comment, Site, Status, Thread, as_utc, utcnow
from .rows import comments_of, threads_of
from .xmlout import XmlWriter, utc

NAMESPACES = {
    "xmlns:excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
    "xmlns:wfw": "http://wellformedweb.org/CommentAPI/",
    "xmlns:dc": "http://purl.org/dc/elements/1.1/",
    "xmlns:wp": "http://wordpress.org/export/1.2/",
}
WP_TIME = "%Y-%m-%d %H:%M:%S"
APPROVED = {
    Status.PUBLISHED.value: "1",
    Status.PENDING.value: "0",
    Status.SPAM.value: "spam",
    Status.DELETED.value: "trash",
}


def write(site: Site, out: BinaryIO) -> dict[str, int]:
    """Write the site's threads and comments to `out`; the counts written."""
    xml = XmlWriter(out)
    xml.raw('<?xml version="1.0" encoding="UTF-8"?>\n')
    xml.start("rss", {"version": "2.0", **NAMESPACES})
    xml.start("channel")
    home = site.origin_list[0] if site.origin_list else ""
    xml.element("title", site.name)
    xml.element("link", home)
    xml.element("description")
    xml.element("pubDate", format_datetime(utcnow(), usegmt=True))
    xml.element("wp:wxr_version", "1.2")
    xml.element("wp:base_site_url", home)
    xml.element("wp:base_blog_url", home)
    xml.element("generator", "widget")
    counts = {"threads": 0, "comments": 0}
    for thread in threads_of(site):
        comments = comments_of(thread)
        _item(xml, thread, comments)
        counts["threads"] += 1
        counts["comments"] += len(comments)
    xml.end("channel")
    xml.end("rss")
    return counts


def _item(xml: XmlWriter, thread: Thread, comments: list[Comment]) -> None:
    xml.start("item")
    # WordPress and Isso both skip an item without a title: the page's URL stands in.
    xml.element("title", thread.title or thread.url)
    xml.element("link", thread.url)
    xml.element("pubDate", format_datetime(as_utc(thread.created_at), usegmt=True))
    xml.cdata_element("dc:creator", "")
    xml.element("guid", thread.url, {"isPermaLink": "false"})
    xml.element("description")
    xml.cdata_element("content:encoded", "")
    xml.cdata_element("excerpt:encoded", "")
    xml.element("wp:post_id", thread.id)
    xml.element("wp:post_date", utc(thread.created_at, WP_TIME))
    xml.element("wp:post_date_gmt", utc(thread.created_at, WP_TIME))
    xml.element("wp:comment_status", "open")
    xml.element("wp:ping_status", "closed")
    xml.element("wp:post_name")
    xml.element("wp:status", "publish")
    xml.element("wp:post_parent", 0)
    xml.element("wp:menu_order", 0)
    xml.element("wp:post_type", "post")
    xml.element("wp:post_password")
    xml.element("wp:is_sticky", 0)
    for comment in comments:
        _comment(xml, comment)
    xml.end("item")


def _comment(xml: XmlWriter, comment: Comment) -> None:
    xml.start("wp:comment")
    xml.element("wp:comment_id", comment.id)
    xml.cdata_element("wp:comment_author", comment.author_name)
    xml.element("wp:comment_author_email", comment.author_email)
    xml.element("wp:comment_author_url", comment.author_url)
    xml.element("wp:comment_author_IP")
    xml.element("wp:comment_date", utc(comment.created_at, WP_TIME))
    xml.element("wp:comment_date_gmt", utc(comment.created_at, WP_TIME))
    xml.cdata_element("wp:comment_content", comment.html)
    xml.element("wp:comment_approved", APPROVED[comment.status])
    xml.element("wp:comment_type", "comment")
    xml.element("wp:comment_parent", comment.parent_id or 0)
    xml.element("wp:comment_user_id", 0)
    xml.end("wp:comment")
