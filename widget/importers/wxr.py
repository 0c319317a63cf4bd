"""WordPress's export (WXR, "WordPress eXtended RSS"), of any version and from WordPress.com as
from a WordPress of one's own: each <item> with comments is a thread, its <wp:comment>s the
comments.

Comment ids are only unique within a post in some exports, so a comment's key is
"post_id:comment_id" (an item without a wp:post_id, which WordPress never writes, is keyed by
its <link>). Dates are taken from comment_date_gmt; an export that lacks it (or has
WordPress's "0000-00-00 00:00:00") gives comment_date, the blog's local time, which is taken
as UTC: the file does not say what the blog's zone was.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from ..models import Status
from .records import Kind, Markup, ParseError, Record, Skipped, SourceComment, SourceThread
from .xml_safety import as_utf8, local_name, namespace, root_name, stream, text

# WordPress has written http://wordpress.org/export/1.0/ to 1.2/, WordPress.com https://.
_WP_NAMESPACE = re.compile(r"https?://wordpress\.org/export/\d+(?:\.\d+)*/")
_SNIFF_NAMESPACE = re.compile(rb"""xmlns:\w+\s*=\s*["']https?://wordpress\.org/export/\d""")

_STATUSES = {"1": Status.PUBLISHED, "0": Status.PENDING, "spam": Status.SPAM,
             "trash": Status.DELETED}  # fmt: skip
_KINDS = {"": Kind.COMMENT, "comment": Kind.COMMENT, "pingback": Kind.PINGBACK,
          "trackback": Kind.TRACKBACK}  # fmt: skip
_NO_DATE = "0000-00-00 00:00:00"
# Entities that stand for markup in HTML: a body keeps them as they are, or text a reader
# wrote as "&lt;b&gt;" would turn into a tag.
_MARKUP_CHARACTERS = frozenset("<>&\"'")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def sniff(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a WXR: an <rss> root that declares a
    wordpress.org/export namespace."""
    return root_name(head) == "rss" and _SNIFF_NAMESPACE.search(as_utf8(head)) is not None


def read(path: Path) -> Iterator[Record]:
    """The threads and comments of a WXR file, as they come: ParseError if it is not one."""
    item: _Item | None = None
    for event, element, depth in stream(path, depth=3):
        if depth == 0 and event == "start" and local_name(element.tag) != "rss":
            raise ParseError(
                f"not a WordPress export: the file's root is <{local_name(element.tag)}>, not <rss>"
            )
        if depth == 2 and local_name(element.tag) == "item":
            if event == "start":
                item = _Item()
            elif item is not None:
                yield from item.finish()
                item = None
        elif depth == 3 and item is not None:
            yield from item.take(element)


@dataclass
class _Item:
    """One <item> as far as it has been read. Its comments come after its id, link and title
    in every export WordPress writes; should they not, they wait for the item's end."""

    post_id: str = ""
    link: str = ""
    guid: str = ""
    title: str = ""
    announced: bool = False  # its SourceThread has been yielded
    waiting: list[dict[str, str]] = field(default_factory=list)

    def take(self, element: Element) -> Iterator[Record]:
        name, wp = local_name(element.tag), _is_wp(element.tag)
        if not namespace(element.tag) and name in ("title", "link", "guid"):
            setattr(self, name, _plain(text(element)))
        elif wp and name == "post_id":
            self.post_id = text(element)
        elif wp and name == "comment":
            fields = _fields(element)
            if self.post_id and (self.link or self.guid):  # what WordPress writes before comments
                yield from self._comment(fields)
            else:
                self.waiting.append(fields)

    def finish(self) -> Iterator[Record]:
        for fields in self.waiting:
            yield from self._comment(fields)

    def _comment(self, fields: dict[str, str]) -> Iterator[Record]:
        url = self.link or (self.guid if self.guid.startswith(("http://", "https://")) else "")
        # Exports written by hand or by other tools may lack the id: the page is the key then.
        key = self.post_id or url
        if not url:
            yield Skipped(f"{key or self.title}:{fields.get('comment_id', '')}",
                          "on a post with no <link>")  # fmt: skip
            return
        if not self.announced:
            self.announced = True
            yield SourceThread(key, url, self.title)
        yield _record(key, fields)


@functools.lru_cache(maxsize=256)  # an export has a few dozen tags, met a million times
def _is_wp(tag: str) -> bool:
    return _WP_NAMESPACE.fullmatch(namespace(tag)) is not None


def _fields(comment: Element) -> dict[str, str]:
    """A <wp:comment>'s fields by name ("comment_author", ...), CDATA or not, stripped."""
    return {local_name(child.tag): text(child) for child in comment if _is_wp(child.tag)}


def _record(thread: str, fields: dict[str, str]) -> Record:
    comment_id = fields.get("comment_id", "")
    key = f"{thread}:{comment_id}"
    if not comment_id:
        return Skipped(key, "a comment with no wp:comment_id")
    created_at = _date(fields.get("comment_date_gmt", "")) or _date(fields.get("comment_date", ""))
    if created_at is None:
        return Skipped(key, "a comment with no date (comment_date_gmt, comment_date)")
    kind = _KINDS.get(fields.get("comment_type", "").lower())
    if kind is None:
        # Plugins keep other things among comments (WooCommerce's order notes, say): not
        # anything a reader wrote on the page.
        return Skipped(key, f"a comment of type {fields['comment_type']!r}, not a reader's")
    parent = fields.get("comment_parent", "")
    return SourceComment(
        key=key,
        thread=thread,
        parent=f"{thread}:{parent}" if parent not in ("", "0") else None,
        author_name=_plain(fields.get("comment_author", "")),
        author_email=_plain(fields.get("comment_author_email", "")),
        author_url=_plain(fields.get("comment_author_url", "")),
        body=_decode_entities(fields.get("comment_content", "")),
        markup=Markup.WORDPRESS,
        created_at=created_at,
        status=_STATUSES.get(fields.get("comment_approved", "").lower(), Status.PENDING),
        kind=kind,
        ip=fields.get("comment_author_IP", ""),
    )


def _date(value: str) -> datetime | None:
    if not value or value == _NO_DATE:
        return None
    try:
        when = datetime.fromisoformat(value)  # "2014-01-14 17:32:12", quicker than strptime
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _plain(value: str) -> str:
    """Text WordPress may have kept with entities in it (a name, a title), as characters.
    Only entities ended by ";": html.unescape alone would read "?a=1&not=2" in a URL as "¬"."""
    return _ENTITY.sub(lambda entity: html.unescape(entity.group()), value)


def _decode_entities(body: str) -> str:
    """The body with the entities WordPress leaves in it (&laquo;, &#8217;) as the characters
    they are, but for those that stand for markup."""

    def character(entity: re.Match[str]) -> str:
        decoded = html.unescape(entity.group())
        return entity.group() if decoded in _MARKUP_CHARACTERS else decoded

    return _ENTITY.sub(character, body)
