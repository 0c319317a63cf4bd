"""What the import readers' tests ask of a list of records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from widget.importers.records import ParseError, Record, Skipped, SourceComment, SourceThread

DATA = Path(__file__).resolve().parents[1] / "data" / "import"  # files of our own making


def comments(records: Iterable[Record]) -> list[SourceComment]:
    return [r for r in records if isinstance(r, SourceComment)]


def threads(records: Iterable[Record]) -> list[SourceThread]:
    return [r for r in records if isinstance(r, SourceThread)]


def skipped(records: Iterable[Record]) -> dict[str, str]:
    return {r.key: r.why for r in records if isinstance(r, Skipped)}


def max_depth(found: list[SourceComment]) -> int:
    """How many ancestors the deepest comment has (a top-level one has none)."""
    parents = {c.key: c.parent for c in found}

    def depth(key: str) -> int:
        levels, parent = 0, parents[key]
        while parent is not None:
            levels, parent = levels + 1, parents[parent]
        return levels

    return max(depth(key) for key in parents)


def read_until_error(records: Iterator[Record]) -> tuple[list[Record], ParseError | None]:
    """The records a reader gave before it failed, and its error (None if it did not)."""
    got: list[Record] = []
    try:
        for record in records:
            got.append(record)
    except ParseError as error:
        return got, error
    return got, None
