"""Reading a JSON backup: however the file is laid out and however it falls across the reader's
windows, the same records; a broken, foreign or newer file refused with what and where."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from widget.importers import json_backup, jsonstream
from widget.importers.jsonstream import Document
from widget.importers.records import (
    Markup,
    ParseError,
    SourceComment,
    SourceSettings,
    SourceThread,
)
from widget.models import Status

WHEN = "2024-05-06T07:08:09.123456+00:00"


def comment(id_: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_, "parent_id": None, "author_name": f"Reader {id_}", "author_email": "",
        "author_url": "", "provider": "", "body": f"Body *{id_}*", "html": f"<p>{id_}</p>",
        "status": "published", "status_reason": None, "created_at": WHEN, "edited_at": None,
        "source": None,
    } | fields  # fmt: skip


def backup(**changes: Any) -> dict[str, Any]:
    return {
        "format": "widget-backup",
        "version": 1,
        "exported_at": WHEN,
        "site": {
            "key": "k3y",
            "name": "Blog",
            "origins": ["https://blog.example.com"],
            "theme": "dark",
            "link_limit": 4,
            "guests_allowed": True,
        },
        "threads": [
            {
                "id": 7,
                "url": "https://blog.example.com/a/",
                "title": "A",
                "created_at": WHEN,
                "comments": [
                    comment(1234567),
                    comment(12, parent_id=1234567, status="spam", status_reason="owner"),
                ],
            },
            {
                "id": 8,
                "url": "https://blog.example.com/b/",
                "title": "",
                "created_at": WHEN,
                "comments": [
                    comment(
                        13,
                        source={"source": "disqus", "key": "99"},
                        edited_at="2024-05-07T00:00:00",
                    )
                ],
            },
        ],
    } | changes


def write(tmp_path: Path, document: Any, indent: int | None = None) -> Path:
    path = tmp_path / "backup.json"
    text = document if isinstance(document, str) else json.dumps(document, indent=indent)
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path) -> list[Any]:
    return list(json_backup.read(path))


def test_a_backup_becomes_settings_threads_and_comments(tmp_path: Path) -> None:
    settings, first, top, reply, second, imported = read(write(tmp_path, backup()))
    assert settings == SourceSettings(
        {
            "name": "Blog",
            "origins": ["https://blog.example.com"],
            "theme": "dark",
            "link_limit": 4,
            "guests_allowed": True,
        }
    )
    assert first == SourceThread("7", "https://blog.example.com/a/", "A")
    assert top == SourceComment(
        key="1234567", thread="7", parent=None, author_name="Reader 1234567", author_email="",
        author_url="", body="Body *1234567*", markup=Markup.MARKDOWN,
        created_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), status=Status.PUBLISHED,
        first_source="widget", first_key="k3y:1234567",
    )  # fmt: skip
    assert (reply.parent, reply.status, reply.status_reason) == ("1234567", Status.SPAM, "owner")
    assert second == SourceThread("8", "https://blog.example.com/b/", "")
    # Imported from Disqus by the exported site: its HTML is the original, its name kept.
    assert (imported.body, imported.markup) == ("<p>13</p>", Markup.HTML)
    assert (imported.first_source, imported.first_key) == ("disqus", "99")
    assert imported.edited_at == datetime(2024, 5, 7, tzinfo=UTC)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13])
@pytest.mark.parametrize("indent", [None, 2])
def test_the_records_do_not_depend_on_layout_or_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, indent: int | None
) -> None:
    expected = read(write(tmp_path, backup()))
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    assert read(write(tmp_path, backup(), indent)) == expected


BROKEN = [
    '{"format": "widget-backup",\n  oops}',
    '{"format": "widget-backup", "version": 1, "site": {"key": "k"},\n "threads": [\n'
    '  {"id": 1, "url": "u", "comments": []},\n  {"id": 2, "url": "u" "comments": []}]}',
    '{"format": "widget-backup", "version": 1, "site": {"key": "k"}, "threads": [{"id": 1,'
    ' "url": "unterminated\n"}]}',
    '{"format": "widget-backup", "version": 1, "site": {"key": "k"}, "threads": [{"id": 1,'
    ' "comments": [1 2]}]}',
    '{"format": "widget-backup", "version": 1, "site": {"key": "k"}, "threads": []} extra',
    '{"format": "widget-backup", "version": 1, "site": {"key": "k"}, "threads": [{"id": tru',
]


@pytest.mark.parametrize("text", BROKEN)
@pytest.mark.parametrize("chunk", [3, 7, 1 << 16])
def test_broken_json_is_refused_where_json_itself_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, chunk: int
) -> None:
    with pytest.raises(json.JSONDecodeError) as decoder:
        json.loads(text)
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    with pytest.raises(ParseError) as caught:
        read(write(tmp_path, text))
    assert (caught.value.line, caught.value.column) == (decoder.value.lineno, decoder.value.colno)
    assert str(caught.value).startswith(f"line {decoder.value.lineno}, column ")


def test_a_file_that_is_no_json_object_is_refused() -> None:
    with pytest.raises(ParseError, match="line 1, column 1: the file is not a JSON object"):
        list(Document(io.StringIO("[1, 2]")).members())


def test_a_broken_thread_is_reported_without_reading_the_rest() -> None:
    text = '{"threads": [{"id": 1, "url": "u"]' + ', {"id": 2}' * 100_000 + "]}"
    file = io.StringIO(text)
    document = Document(file)
    with pytest.raises(ParseError, match="line 1, column 34: Expecting ','"):
        for _ in document.members():
            list(document.items())
    assert file.tell() < len(text) // 10


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": 2}, "backup.json is a backup of version 2; this server reads version 1"),
        ({"version": True}, "backup.json is a backup of version True"),
        ({"version": "1"}, "backup.json is a backup of version '1'"),
        ({"format": "remark42"}, "is not a backup of this service: its \"format\" is 'remark42'"),
    ],
)
def test_a_foreign_or_newer_backup_is_refused_by_name(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(")) as caught:
        read(write(tmp_path, backup(**changes)))
    assert caught.value.line == 1  # where "threads" begins: nothing was read past it


@pytest.mark.parametrize("chunk", range(1, 40))
def test_a_number_cut_by_a_window_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    with pytest.raises(ParseError, match="a backup of version 10;"):
        read(write(tmp_path, '{"format": "widget-backup", "version": 10, "threads": []}'))


def test_the_head_must_come_before_the_threads(tmp_path: Path) -> None:
    document = backup()
    reordered = {"format": document["format"], "version": 1, "threads": [], "site": {}}
    with pytest.raises(ParseError, match='"site" must come before "threads"'):
        read(write(tmp_path, reordered))


def test_a_backup_without_threads_is_refused(tmp_path: Path) -> None:
    document = backup()
    del document["threads"]
    with pytest.raises(ParseError, match=r'backup\.json has no "threads"'):
        read(write(tmp_path, document))
    del document["format"]
    with pytest.raises(ParseError, match="is not a backup of this service"):
        read(write(tmp_path, document))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"created_at": None}, 'thread 8: comment 13: "created_at" is None, not text'),
        ({"created_at": "yesterday"}, "\"created_at\" is 'yesterday', not a date and time"),
        ({"status": "approved"}, "\"status\" is 'approved', not published, pending, spam or"),
        ({"id": 0}, 'thread 8: a comment: "id" is 0, not a whole number from 1'),
        ({"parent_id": "12"}, "comment 13: \"parent_id\" is '12', not a whole number"),
        ({"source": {"source": "disqus"}}, 'comment 13: its source: "key" is missing'),
        ({"body": ["x"]}, "\"body\" is \\['x'\\], not text"),
    ],
)
def test_a_wrong_comment_is_refused_with_its_thread_and_line(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    document = backup()
    document["threads"][1]["comments"][0] |= {"source": None} | change
    with pytest.raises(ParseError, match=message) as caught:
        read(write(tmp_path, document, indent=1))
    lines = json.dumps(document, indent=1).splitlines()
    assert lines[caught.value.line - 1].strip() == "{" and '"id": 8' in lines[caught.value.line]


def test_a_comment_without_its_created_at_is_refused(tmp_path: Path) -> None:
    document = backup()
    del document["threads"][0]["comments"][1]["created_at"]
    with pytest.raises(ParseError, match='thread 7: comment 12: "created_at" is missing'):
        read(write(tmp_path, document))


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [("link_limit", "3", "a JSON integer"), ("link_limit", True, "a JSON integer"),
     ("guests_allowed", 1, "a JSON boolean"), ("origins", "https://x.example", "a JSON array"),
     ("held_words", ["ok", 3], "a list of text")],
)  # fmt: skip
def test_a_setting_of_the_wrong_type_is_refused(
    tmp_path: Path, setting: str, value: object, expected: str
) -> None:
    document = backup()
    document["site"][setting] = value
    with pytest.raises(ParseError, match=f'the site: "{setting}" is .*, not {expected}'):
        read(write(tmp_path, document))


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_bytes(json.dumps(backup()).encode().replace(b"Blog", b"Bl\xffg"))
    with pytest.raises(ParseError, match=r"backup\.json is not UTF-8 text"):
        read(path)


def test_a_byte_order_mark_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(backup()).encode())
    assert len(read(path)) == 6
    assert json_backup.sniff(path.read_bytes())


def test_sniff_knows_a_backup_from_other_files() -> None:
    head = json.dumps(backup()).encode()[:4096]
    assert json_backup.sniff(head) and json_backup.sniff(b"\n  " + head)
    assert not json_backup.sniff(b'{"comments": []}')
    assert not json_backup.sniff(b"<?xml version='1.0'?><rss>widget-backup</rss>")
    assert not json_backup.sniff(b"SQLite format 3\x00")
