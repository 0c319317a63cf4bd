"""A real third-party reader of our exports: Isso 0.14's own importers (isso/migrate.py, from
PyPI), run into a temporary Isso database as `isso import` runs them. Every comment published
here arrives published there, under the right page and parent; nothing held back here is
visible there."""

from __future__ import annotations

import io
import sqlite3
import time
from pathlib import Path

import pytest
from isso import config as isso_config
from isso.db import SQLite3 as IssoDatabase
from isso.migrate import Disqus, WordPress

from tests.support.exports import build_sample, clean_name
from widget.exporters import disqus, wxr
from widget.models import Comment, Status

PUBLISHED, PENDING, DELETED = 1, 2, 4  # Isso's comment modes
BLOG = "https://blog.example.com"


@pytest.fixture
def utc_clock(monkeypatch):  # type: ignore[no-untyped-def]
    # Isso reads the export's UTC times with time.mktime, in the local zone.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def sample(make_site, make_comment):  # type: ignore[no-untyped-def]
    return build_sample(make_site, make_comment)


def into_isso(tmp_path: Path, name: str, writer, site, importer) -> sqlite3.Connection:  # type: ignore[no-untyped-def]
    export = tmp_path / name
    with export.open("wb") as out:
        writer(site, out)
    conf = isso_config.new({"general": {"dbpath": "/dev/null", "max-age": "1h"}})
    database = IssoDatabase(str(tmp_path / f"{name}.isso.db"), conf)
    importer(database, str(export))
    connection = sqlite3.connect(tmp_path / f"{name}.isso.db")
    connection.row_factory = sqlite3.Row
    return connection


def isso_comments(connection: sqlite3.Connection) -> list[sqlite3.Row]:
    return connection.execute(
        "SELECT comments.*, threads.uri, threads.title FROM comments"
        " JOIN threads ON threads.id = comments.tid ORDER BY comments.id"
    ).fetchall()


def root_of(comment: Comment, comments: dict[int, Comment]) -> Comment:
    while comment.parent_id is not None:
        comment = comments[comment.parent_id]
    return comment


def check_published_arrived(rows, sample, text_of) -> None:  # type: ignore[no-untyped-def]
    """Each published comment is one published Isso comment with its text, author, page, time
    and (Isso keeps one level of replies) its top-level ancestor as parent."""
    ours = {c.id: c for c in sample.comments.values()}
    published = [r for r in rows if r["mode"] == PUBLISHED]
    found: dict[int, sqlite3.Row] = {}
    for comment in sample.published:
        matches = [r for r in published if text_of(r) == comment.html.strip()]
        assert len(matches) == 1, comment.id
        found[comment.id] = row = matches[0]
        assert row["author"] == clean_name(comment.author_name)
        assert row["email"] == comment.author_email
        assert row["uri"] == comment.thread.url.removeprefix(BLOG)
        assert row["created"] == comment.created_at.timestamp()
    assert len(published) == len(sample.published)
    by_isso_id = {row["id"]: our_id for our_id, row in found.items()}
    for comment in sample.published:
        root = root_of(comment, ours)
        parent = found[comment.id]["parent"]
        if root is comment:
            assert parent is None, comment.id
        elif root.status == Status.PUBLISHED.value:
            assert by_isso_id[parent] == root.id, comment.id


def test_isso_imports_our_wxr_with_every_published_comment(tmp_path, sample, utc_clock):
    connection = into_isso(
        tmp_path,
        "comments.wxr.xml",
        wxr.write,
        sample.site,
        lambda db, f: WordPress(db, f).migrate(),
    )
    rows = isso_comments(connection)
    # Isso turns a single newline into a Markdown line break ("  \n").
    check_published_arrived(rows, sample, lambda row: row["text"].replace("  \n", "\n"))
    # WordPress's pending, spam and trash all wait in Isso's moderation queue.
    assert sorted(r["mode"] for r in rows if r["mode"] != PUBLISHED) == [PENDING] * (
        len(sample.comments) - len(sample.published)
    )
    titles = {r["uri"]: r["title"] for r in rows}
    assert titles == {t.url.removeprefix(BLOG): t.title for t in sample.threads}


def test_isso_imports_our_disqus_export_with_every_published_comment(tmp_path, sample, utc_clock):
    connection = into_isso(
        tmp_path, "comments.disqus.xml", disqus.write, sample.site,
        lambda db, f: Disqus(db, f, empty_id=True).migrate(),
    )  # fmt: skip
    rows = isso_comments(connection)
    check_published_arrived(rows, sample, lambda row: row["text"])
    # What readers here do not see is not visible there: only the deleted comment that has a
    # published reply is left, as Isso's own empty placeholder.
    hidden = [r for r in rows if r["mode"] != PUBLISHED]
    assert [(r["mode"], r["text"], r["author"] or "") for r in hidden] == [(DELETED, "", "")]
    under = next(r for r in rows if r["parent"] == hidden[0]["id"])
    assert under["text"] == sample.comments["under_deleted"].html


def test_isso_finds_our_wxr_by_its_namespace(tmp_path, sample):
    out = io.BytesIO()
    wxr.write(sample.site, out)
    (tmp_path / "peek.xml").write_bytes(out.getvalue())
    assert WordPress(None, str(tmp_path / "peek.xml")).ns == "{http://wordpress.org/export/1.2/}"
