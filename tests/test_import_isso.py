"""Reading Isso's comments.db: a database made by Isso 0.14's own code (from PyPI), one in the
schema of older Isso versions (tests/data/isso-old-schema.sql), files that are not Isso's, and
the whole import through the store step."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from isso import config as isso_config
from isso.db import SQLite3 as IssoDatabase

from tests.support.blog import BLOG
from widget.extensions import db
from widget.importers import isso
from widget.importers.formats import FORMATS
from widget.importers.records import (
    Markup,
    ParseError,
    Record,
    Skipped,
    SourceComment,
    SourceThread,
)
from widget.importers.store import Options, import_file
from widget.models import Comment, CommentSource, Status, Thread

DATA = Path(__file__).parent / "data"
T0 = 1_400_000_000.25  # Unix time, as Isso keeps it


def isso_database(path: Path) -> IssoDatabase:
    conf = isso_config.new({"general": {"dbpath": str(path), "max-age": "1h"}})
    return IssoDatabase(str(path), conf)


def comment(text: str, mode: int = 1, **fields: object) -> dict[str, object]:
    return {"text": text, "mode": mode, "remote_addr": "192.168.1.0", **fields}


@pytest.fixture
def comments_db(tmp_path: Path) -> Path:
    """Two pages; published, pending, edited, liked and deleted-with-a-reply comments."""
    path = tmp_path / "comments.db"
    database = isso_database(path)
    database.threads.new("/2014/test/", "Test & <Title>")
    database.threads.new("/about/", None)
    first = database.comments.add(
        "/2014/test/",
        comment("Hello *world*", author="Ann", email="ann@example.com",
                website="https://ann.example", created=T0),
    )  # fmt: skip
    database.comments.add(
        "/2014/test/", comment("A reply", author="Bob", parent=first["id"], created=T0 + 60)
    )
    waiting = database.comments.add("/2014/test/", comment("Wait for me", 2, created=T0 + 120))
    doomed = database.comments.add("/about/", comment("Soon gone", author="Cy", created=T0 + 180))
    database.comments.add("/about/", comment("Answer", parent=doomed["id"], created=T0 + 240))
    database.comments.delete(doomed["id"])  # it has a reply: Isso keeps a placeholder
    database.comments.update(first["id"], {"modified": T0 + 3600, "likes": 3})
    assert waiting["mode"] == 2
    return path


def records(path: Path) -> list[Record]:
    return list(isso.read(path))


def test_threads_come_by_path_as_isso_keeps_them(comments_db: Path) -> None:
    threads = [r for r in records(comments_db) if isinstance(r, SourceThread)]
    assert threads == [
        SourceThread(key="1", url="/2014/test/", title="Test & <Title>"),
        SourceThread(key="2", url="/about/", title=""),
    ]


def test_comments_keep_author_dates_likes_and_markdown(comments_db: Path) -> None:
    first, reply = [r for r in records(comments_db) if isinstance(r, SourceComment)][:2]
    assert first == SourceComment(
        key="1", thread="1", parent=None, author_name="Ann", author_email="ann@example.com",
        author_url="https://ann.example", body="Hello *world*", markup=Markup.MARKDOWN,
        created_at=datetime.fromtimestamp(T0, UTC), status=Status.PUBLISHED, ip="192.168.1.0",
        likes=3, edited_at=datetime.fromtimestamp(T0 + 3600, UTC),
    )  # fmt: skip
    assert first.created_at.tzinfo is UTC and first.created_at.microsecond == 250_000
    assert (reply.key, reply.parent, reply.author_email, reply.edited_at) == ("2", "1", "", None)


def test_modes_become_statuses_and_a_deleted_parent_stays_as_placeholder(
    comments_db: Path,
) -> None:
    found = {r.key: r for r in records(comments_db) if isinstance(r, SourceComment)}
    assert {k: c.status for k, c in found.items()} == {
        "1": Status.PUBLISHED,
        "2": Status.PUBLISHED,
        "3": Status.PENDING,
        "4": Status.DELETED,
        "5": Status.PUBLISHED,
    }
    placeholder = found["4"]
    assert (placeholder.body, placeholder.author_name, placeholder.thread) == ("", "", "2")
    assert found["5"].parent == "4"


def test_a_mode_isso_never_wrote_is_skipped_with_its_reason(comments_db: Path) -> None:
    with sqlite3.connect(comments_db) as connection:
        connection.execute("UPDATE comments SET mode = 8 WHERE id = 2")
    connection.close()
    skipped = [r for r in records(comments_db) if isinstance(r, Skipped)]
    assert skipped == [Skipped("2", "Isso's mode 8 is none we know (1, 2 or 4)")]


def test_the_schema_of_older_isso_versions_is_read(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.executescript((DATA / "isso-old-schema.sql").read_text())
    connection.close()
    read = records(path)
    assert read[0] == SourceThread(key="1", url="/old/post/", title="")
    ann, held = read[1:]
    assert isinstance(ann, SourceComment) and isinstance(held, SourceComment)
    assert (ann.body, ann.likes, ann.created_at.second) == ("Old *Markdown*", 2, 20)
    assert (held.body, held.author_name, held.status, held.parent) == ("", "", Status.PENDING, "1")


def test_the_database_is_opened_read_only_whatever_its_name(comments_db: Path) -> None:
    odd = comments_db.with_name("isso #1 ?copy%20.db")
    comments_db.rename(odd)
    before = hashlib.sha256(odd.read_bytes()).hexdigest()
    odd.chmod(0o444)
    assert len(records(odd)) == 7
    assert hashlib.sha256(odd.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in odd.parent.iterdir()) == [odd.name]


def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "comments.db"
    path.write_bytes(b"<?xml version='1.0'?><rss></rss>" * 200)
    with pytest.raises(ParseError, match=r"comments\.db is not an SQLite database"):
        records(path)


def test_a_missing_file_is_refused_not_created(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"nothing\.db cannot be opened"):
        records(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()


def test_an_sqlite_database_that_is_not_issos_names_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri TEXT)")
    connection.close()
    with pytest.raises(ParseError) as caught:
        records(path)
    assert str(caught.value) == (
        "other.db is not an Isso database: no table comments, column threads.title."
    )


def test_sniff_knows_sqlite_from_xml(comments_db: Path) -> None:
    assert isso.sniff(comments_db.read_bytes()[:4096])
    assert not isso.sniff(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert FORMATS["isso"].sniff(comments_db.read_bytes()[:4096])  # how detect() asks


def test_an_isso_database_imports_onto_the_site_and_twice_adds_nothing(
    make_site, comments_db: Path
) -> None:  # type: ignore[no-untyped-def]
    site = make_site()
    report = import_file(site, comments_db, FORMATS["isso"], Options())
    assert dict(report.imported) == {"published": 3, "pending": 1, "deleted": 1}
    urls = db.session.scalars(db.select(Thread.url).where(Thread.site_id == site.id)).all()
    assert sorted(urls) == [f"{BLOG}/2014/test/", f"{BLOG}/about/"]
    reply = db.session.scalar(db.select(Comment).where(Comment.body == "A reply"))
    first = db.session.scalar(db.select(Comment).where(Comment.body == "Hello *world*"))
    assert reply is not None and first is not None and reply.parent_id == first.id
    assert first.html == "<p>Hello <em>world</em></p>"
    sources = db.session.scalars(db.select(CommentSource.source).distinct()).all()
    assert sources == ["isso"]

    again = import_file(site, comments_db, FORMATS["isso"], Options())
    assert again.already == 5 and sum(again.imported.values()) == 0
