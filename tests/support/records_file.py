"""A reader for the store step's tests: records written as JSON lines, so that what the store
step does can be tested apart from any format's parsing. A line {"error": ...} is a ParseError
at that line, as a broken file's last line would be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from widget.importers.formats import Format
from widget.importers.records import (
    Kind,
    Markup,
    ParseError,
    Record,
    Skipped,
    SourceComment,
    SourceThread,
)
from widget.models import Status

RECORDS = Format("records", __name__, "test", "records as JSON lines (tests)")
WHEN = datetime(2015, 3, 4, 5, 6, 7, tzinfo=UTC)


def thread(key: str, url: str, title: str = "") -> dict[str, Any]:
    return {"thread": {"key": key, "url": url, "title": title}}


def comment(key: str, thread: str, parent: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"comment": {"key": key, "thread": thread, "parent": parent, **fields}}


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def sniff(head: bytes) -> bool:
    return False


def read(path: Path) -> Iterator[Record]:
    with path.open() as file:
        for number, line in enumerate(file, 1):
            data = json.loads(line)
            if "error" in data:
                raise ParseError(data["error"], number, 1)
            if "thread" in data:
                yield SourceThread(**data["thread"])
            elif "skipped" in data:
                yield Skipped(**data["skipped"])
            else:
                yield _comment(data["comment"])


def _comment(fields: dict[str, Any]) -> SourceComment:
    values: dict[str, Any] = {
        "author_name": "Reader",
        "author_email": "reader@example.com",
        "author_url": "",
        "body": f"Comment {fields['key']}",
        "markup": Markup.HTML,
        "created_at": WHEN,
        "status": Status.PUBLISHED,
    } | fields
    values["markup"] = Markup(values["markup"])
    values["status"] = Status(values["status"])
    if "kind" in values:
        values["kind"] = Kind(values["kind"])
    if isinstance(values["created_at"], str):
        values["created_at"] = datetime.fromisoformat(values["created_at"])
    return SourceComment(**values)
