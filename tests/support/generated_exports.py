"""Export files of our own making, as large as a test or a benchmark needs: a WordPress WXR
with `posts` posts of `per_post` comments each, every fourth comment a reply, written a
comment at a time (the generator holds no more of it in memory than the importer may)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

START = datetime(2012, 1, 1, tzinfo=UTC)
_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Generated blog</title><link>{origin}</link><wp:wxr_version>1.2</wp:wxr_version>
"""
_COMMENT = """  <wp:comment>
    <wp:comment_id>{id}</wp:comment_id>
    <wp:comment_author><![CDATA[Reader {author}]]></wp:comment_author>
    <wp:comment_author_email><![CDATA[reader{author}@example.com]]></wp:comment_author_email>
    <wp:comment_author_url>https://reader{author}.example.org/</wp:comment_author_url>
    <wp:comment_author_IP>192.0.2.{ip}</wp:comment_author_IP>
    <wp:comment_date>{date}</wp:comment_date>
    <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
    <wp:comment_approved>{approved}</wp:comment_approved>
    <wp:comment_type><![CDATA[comment]]></wp:comment_type>
    <wp:comment_parent>{parent}</wp:comment_parent>
  </wp:comment>
"""
BODY = (
    "Comment {n}: thanks for writing this up, it saved me an afternoon.\n\n"
    "One question though &mdash; does it work with <em>older</em> versions as well?"
)


def write_wxr(path: Path, posts: int, per_post: int, origin: str) -> int:
    """Writes the file; returns how many comments it holds."""
    n = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(_HEAD.format(origin=escape(origin)))
        for post in range(1, posts + 1):
            out.write(
                f"<item><title>Post {post}</title><link>{escape(origin)}/{post}/</link>"
                f"<wp:post_id>{post}</wp:post_id><wp:post_type>post</wp:post_type>\n"
            )
            first = n + 1
            for i in range(per_post):
                n += 1
                parent = n - 1 if i % 4 == 3 else 0
                when = START + timedelta(minutes=n)
                out.write(
                    _COMMENT.format(
                        id=n, author=n % 997, ip=n % 250 + 1, parent=parent,
                        date=when.strftime("%Y-%m-%d %H:%M:%S"), body=BODY.format(n=n),
                        approved="0" if n % 50 == 0 else "1",
                    )
                )  # fmt: skip
            assert n - first + 1 == per_post
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    return n
