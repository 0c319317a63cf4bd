"""This service's own backup (exporters/json_backup.py, docs/export-schema.json), read back:
the site's settings, then each thread and its comments, one thread in memory at a time
(jsonstream.py). "format", "version" and "site" come before "threads", as every backup is
written; a backup of a version this server does not know is refused, not guessed at.

How a comment is known, so that restoring adds nothing twice. Each record has
- `key`: its id in the backup, which `parent` refers to: links within the file only;
- `first_source`, `first_key`: what it is known as wherever it was first written: for one the
  exported site had imported (the backup's "source"), that source and its id, e.g.
  ("wordpress", "12") or ("isso", "5"); for one written on the exported site,
  ("widget", "<the site's key>:<its id>"). A restore keeps this as the comment's
  CommentSource and looks comments up by it, so:
  - the same backup restored twice into one site adds nothing the second time;
  - restored into a new, empty site, everything is added; a newer backup of the same site
    restored later adds only what was written since, and a WordPress, Disqus or Isso import
    run again on the restored site finds the comments that came from it;
  - backups of two sites restored into one: the ids may be the same numbers, the site keys
    differ, so no comment is taken for another;
  - a restored site's own backup carries the first name on (restored from A, backed up from
    B, restored into C: still "widget", "A:5");
  - restored into the very site it was exported from, a comment whose first name is
    ("widget", "<this site's key>:<n>") is already there if comment n is on one of the
    site's threads with the same created_at (its comments have no CommentSource row).

Bodies: a comment written here or in Isso keeps its Markdown source (Markup.MARKDOWN); one
the exported site had imported from WordPress or Disqus had its HTML as the original and its
text as the body, so its HTML is what is restored (Markup.HTML, sanitised again).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from ..models import Status
from .jsonstream import Document
from .records import Markup, ParseError, Record, SourceComment, SourceSettings, SourceThread

FORMAT = "widget-backup"
VERSIONS = (1,)
SOURCE = "widget"  # as formats.py names this format's source
HTML_SOURCES = ("wordpress", "disqus")  # whose comments keep their HTML as the original
_HEAD = ("format", "version", "site")
# The settings' JSON types; their values are checked on restore as the dashboard checks them.
_SETTINGS: dict[str, type] = {
    "name": str, "origins": list, "moderation": str, "guests_allowed": bool, "link_limit": int,
    "disabled_providers": list, "held_words": list, "theme": str, "reply_depth": int,
}  # fmt: skip
_JSON_TYPES = {str: "string", list: "array", bool: "boolean", int: "integer"}
_STATUSES = {s.value for s in Status}
_REQUIRED: Any = object()  # a member that must be there
_ABSENT = object()


def sniff(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"{") and FORMAT.encode() in text


def read(path: Path) -> Iterator[Record]:
    """The site's settings (without its key), then each thread followed by its comments."""
    with path.open(encoding="utf-8-sig") as file:
        try:
            yield from _records(Document(file), path.name)
        except UnicodeDecodeError as exc:
            raise ParseError(f"{path.name} is not UTF-8 text: {exc.reason}") from exc


def _records(document: Document, filename: str) -> Iterator[Record]:
    head: dict[str, Any] = {}
    for name in document.members():
        if name != "threads":
            head[name] = document.value()
            continue
        site = _site(head, filename, document.where())
        yield SourceSettings({k: v for k, v in site.items() if k != "key"})
        for thread in document.items():
            yield from _thread(_Fields(thread, "a thread", document.began), site["key"])
        head[name] = True
    if "threads" not in head:
        _site(head, filename, None)
        raise ParseError(f'{filename} has no "threads"')


def _site(head: dict[str, Any], filename: str, where: tuple[int, int] | None) -> dict[str, Any]:
    """The backup's site, once its head shows it is a backup we can read."""
    at = where or (None, None)
    if head.get("format") != FORMAT:
        found = head.get("format")
        raise ParseError(f'{filename} is not a backup of this service: its "format" is '
                         f"{found!r}, not {FORMAT!r}", *at)  # fmt: skip
    version = head.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        known = ", ".join(map(str, VERSIONS))
        raise ParseError(f"{filename} is a backup of version {version!r}; this server reads "
                         f"version {known}", *at)  # fmt: skip
    for name in _HEAD:
        if name not in head:
            raise ParseError(f'"{name}" must come before "threads"', *at)
    site = _Fields(head["site"], "the site", where or (1, 1))
    site.text("key")
    for name, kind in _SETTINGS.items():
        value = site.values.get(name, _ABSENT)
        # JSON's true is no number, though Python's bool is an int.
        if value is not _ABSENT and (
            isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind)
        ):
            site.fail(name, f"a JSON {_JSON_TYPES[kind]}")
    for name in ("origins", "disabled_providers", "held_words"):
        if not all(isinstance(v, str) for v in site.values.get(name, [])):
            site.fail(name, "a list of text")
    return site.values


def _thread(thread: _Fields, site_key: str) -> Iterator[Record]:
    key = str(thread.number("id"))
    thread.what = f"thread {key}"
    yield SourceThread(key=key, url=thread.text("url"), title=thread.text("title", ""))
    comments = thread.values.get("comments", [])
    if not isinstance(comments, list):
        thread.fail("comments", "a JSON array")
    for comment in comments:
        yield _comment(_Fields(comment, f"thread {key}: a comment", thread.where), key, site_key)


def _comment(fields: _Fields, thread: str, site_key: str) -> SourceComment:
    key = str(fields.number("id"))
    fields.what = f"thread {thread}: comment {key}"
    parent = fields.number("parent_id", None)
    status = fields.text("status")
    if status not in _STATUSES:
        fields.fail("status", "published, pending, spam or deleted")
    first = (SOURCE, f"{site_key}:{key}")
    source = fields.values.get("source")
    if source is not None:
        came_from = _Fields(source, f"{fields.what}: its source", fields.where)
        first = (came_from.text("source"), came_from.text("key"))
    html = first[0] in HTML_SOURCES
    return SourceComment(
        key=key,
        thread=thread,
        parent=str(parent) if parent is not None else None,
        author_name=fields.text("author_name", ""),
        author_email=fields.text("author_email", ""),
        author_url=fields.text("author_url", ""),
        body=fields.text("html") if html else fields.text("body"),
        markup=Markup.HTML if html else Markup.MARKDOWN,
        created_at=fields.moment("created_at"),
        status=Status(status),
        provider=fields.text("provider", ""),
        status_reason=fields.text("status_reason", None),
        edited_at=fields.moment("edited_at", None),
        first_source=first[0],
        first_key=first[1],
    )


class _Fields:
    """A JSON object of the backup, its members read by type; the error names what is wrong
    and where the thread that holds it begins."""

    def __init__(self, value: object, what: str, where: tuple[int, int]) -> None:
        self.what, self.where = what, where
        if not isinstance(value, dict):
            raise ParseError(f"{what} is not a JSON object", *where)
        self.values: dict[str, Any] = value

    def fail(self, name: str, expected: str) -> NoReturn:
        if name not in self.values:
            raise ParseError(f'{self.what}: "{name}" is missing', *self.where)
        found = self.values[name]
        raise ParseError(f'{self.what}: "{name}" is {found!r}, not {expected}', *self.where)

    def _get(self, name: str, default: Any) -> Any:
        if name not in self.values or (self.values[name] is None and default is None):
            if default is _REQUIRED:
                self.fail(name, "")
            return default
        return self.values[name]

    def text(self, name: str, default: Any = _REQUIRED) -> Any:
        value = self._get(name, default)
        if value is not default and not isinstance(value, str):
            self.fail(name, "text")
        return value

    def number(self, name: str, default: Any = _REQUIRED) -> Any:
        value = self._get(name, default)
        if value is not default and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            self.fail(name, "a whole number from 1")
        return value

    def moment(self, name: str, default: Any = _REQUIRED) -> Any:
        value = self.text(name, default)
        if value is default:
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(name, "a date and time (ISO 8601)")
        # Every backup is written in UTC; a time without its zone is taken as UTC too.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
