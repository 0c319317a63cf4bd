"""What every format's reader yields: the threads and comments of a file, as the file has them.

A reader (one module per format) turns its file into a stream of these records and knows
nothing of the database; the store step (store.py) maps pages onto the site's threads,
sanitises bodies and writes. Keys are the source's own ids, as text, stable from one run to
the next: they are what makes a second run of the same import add nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import Status


class Kind(enum.StrEnum):
    """What a source comment is: WordPress keeps pingbacks and trackbacks among comments."""

    COMMENT = "comment"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"


class Markup(enum.StrEnum):
    """How a body is written, which says how the store step makes it safe HTML."""

    HTML = "html"  # HTML as Disqus keeps it: sanitised with the allow-list of new comments
    WORDPRESS = "wordpress"  # WordPress's: HTML whose blank lines are paragraphs (wpautop)
    MARKDOWN = "markdown"  # Markdown source, as Isso and this service keep it: rendered


@dataclass(frozen=True, slots=True)
class SourceThread:
    """A page the source kept comments for."""

    key: str  # the source's id of the thread: a WXR post id, a Disqus dsq:id, an Isso uri
    url: str  # as the source gives it: an absolute URL, or a path to join to the site's origin
    title: str = ""


@dataclass(frozen=True, slots=True)
class SourceComment:
    """One comment. Its parent may come before or after it in the file."""

    key: str  # unique in the file across threads (a WXR comment id is made so: "post:comment")
    thread: str  # the SourceThread.key it belongs to
    parent: str | None  # the key of the comment it answers, None for a top-level one
    author_name: str
    author_email: str
    author_url: str
    body: str
    markup: Markup
    created_at: datetime  # timezone-aware
    status: Status  # a DELETED one with replies stays as their placeholder
    kind: Kind = Kind.COMMENT
    ip: str = ""  # stored only as its peppered hash, as for new comments
    likes: int = 0
    # Where this service's own export is read back: what the comment had here.
    provider: str = ""
    status_reason: str | None = None
    edited_at: datetime | None = None
    # Where the comment was first written, when that is not (the format's source, `key`): a
    # backup's comment keeps it through restores, so that a comment is known by one name
    # wherever it goes (importers/json_backup.py says how). Empty: the format's source, `key`.
    first_source: str = ""
    first_key: str = ""


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """A site's settings, as this service's own backup carries them (restored as they are,
    through sites.update_site's checks)."""

    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something in the file that cannot be imported, and why, for the report."""

    key: str
    why: str


Record = SourceThread | SourceComment | SourceSettings | Skipped


class ParseError(Exception):
    """The file cannot be read as its format: where, and what is wrong (no traceback)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{message}")
        self.message = message
        self.line = line
        self.column = column
