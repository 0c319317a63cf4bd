"""Labelled examples from files: the YouTube Spam Collection's CSVs (what the base model is
built from) and JSON lines (what an owner trains a site with, `widget spam train`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .features import Sample

# The files the base model is built and tuned on; 04 and 05 are held out for bench/ alone.
BUILD_FILES = ("Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv")
HELD_OUT_FILES = ("Youtube04-Eminem.csv", "Youtube05-Shakira.csv")
_FIELDS = ("body", "author_name", "author_email", "author_url")


class BadExample(ValueError):
    """A line of a training or classifying file that is not a comment; says which and why."""


@dataclass(frozen=True)
class Example:
    sample: Sample
    is_spam: bool


def youtube_csv(path: Path) -> list[Example]:
    """One file of the YouTube Spam Collection: what a comment service would see of each row
    (the text and the author's name; never the date or the id, which leak the label)."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Example(Sample(body=row["CONTENT"], author_name=row["AUTHOR"]), row["CLASS"] == "1")
            for row in csv.DictReader(f)
        ]


def youtube_files(folder: Path, names: Iterable[str]) -> list[Example]:
    return [example for name in names for example in youtube_csv(folder / name)]


def sample_from(data: object, where: str) -> Sample:
    """A comment from one decoded JSON line: {"body", "author_name", "author_email",
    "author_url"}, only the body required."""
    if not isinstance(data, dict):
        raise BadExample(f"{where}: not a JSON object")
    if not isinstance(data.get("body"), str) or not data["body"].strip():
        raise BadExample(f'{where}: "body" must be the comment\'s text')
    for key in _FIELDS[1:]:
        if not isinstance(data.get(key, ""), str):
            raise BadExample(f'{where}: "{key}" must be text')
    return Sample(**{key: data.get(key, "") for key in _FIELDS})


def json_lines(stream: IO[str]) -> Iterator[tuple[int, object]]:
    """Each non-blank line's number and JSON value; a line that is not JSON is refused."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadExample(f"line {number}: not JSON ({exc.msg})") from exc


def labelled_lines(stream: IO[str], default_spam: bool | None) -> list[Example]:
    """Training examples, one JSON comment per line with "spam": true or false (or, missing,
    `default_spam`); every line is checked before any is used."""
    examples = []
    for number, data in json_lines(stream):
        sample = sample_from(data, f"line {number}")
        assert isinstance(data, dict)
        label = data.get("spam", default_spam)
        if not isinstance(label, bool):
            raise BadExample(f'line {number}: say "spam": true or false (or use --spam / --ham)')
        examples.append(Example(sample, label))
    return examples
