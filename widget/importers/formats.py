"""The formats `widget import` reads, each a module with `read(path)` and `sniff(head)`, and
which one a file is when the owner does not say."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .records import ParseError, Record

SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # what --format takes
    module: str  # the reader: a module with read(path) and sniff(head)
    source: str  # what the imported comments remember as their source (CommentSource)
    about: str

    def reader(self) -> Callable[[Path], Iterator[Record]]:
        read: Callable[[Path], Iterator[Record]] = importlib.import_module(self.module).read
        return read

    def sniff(self, head: bytes) -> bool:
        sniff: Callable[[bytes], bool] = importlib.import_module(self.module).sniff
        return sniff(head)


_PACKAGE = "widget.importers"
FORMATS = {
    f.name: f
    for f in (
        Format("wordpress", f"{_PACKAGE}.wxr", "wordpress", "WordPress(.com) export (WXR)"),
        Format("disqus", f"{_PACKAGE}.disqus", "disqus", "Disqus export (XML)"),
        Format("isso", f"{_PACKAGE}.isso", "isso", "Isso's database (comments.db)"),
        Format("json", f"{_PACKAGE}.json_backup", "widget", "this service's own backup (JSON)"),
    )
}


def detect(path: Path) -> Format:
    """The format of the file, from its first bytes; ParseError if it is none we read."""
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    for candidate in FORMATS.values():
        if candidate.sniff(head):
            return candidate
    names = ", ".join(FORMATS)
    raise ParseError(f"{path.name} is not a file we can import ({names}); say --format if it is.")
