"""The Disqus reader on real exports (../shared/data/import/, read in place; its README gives
each file's origin, licence and counts) and on a file of our own with every quirk
(tests/data/import/)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.support.import_records import (
    DATA,
    comments,
    max_depth,
    read_until_error,
    skipped,
    threads,
)
from tests.support.shared_data import IMPORT_FILES
from widget.importers import disqus, wxr
from widget.importers.records import Markup, ParseError
from widget.models import Status

ISSO_DISQUS = IMPORT_FILES / "isso-disqus.xml"  # MIT (Isso's tests)
SCHNACK_DISQUS = IMPORT_FILES / "schnack-disqus.xml"  # Lil License v1
GYK001 = IMPORT_FILES / "disqus2duoshuo-gyk001-disqus.redacted.xml"  # MIT, a real 2013 export
REMARK42 = IMPORT_FILES / "remark42-disqus.xml"  # MIT, not well-formed
REMARK42_DELETED = IMPORT_FILES / "remark42-disqus-deleted-thread.xml"  # MIT, not well-formed
QUIRKS = DATA / "disqus-quirks.xml"

real_files = pytest.mark.skipif(
    not IMPORT_FILES.is_dir(), reason="../shared/data/import is not beside the checkout"
)


def cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@real_files
def test_isso_test_suite_export_keeps_the_deleted_post_its_reply_hangs_from():
    records = list(disqus.read(ISSO_DISQUS))
    found = {c.key: c for c in comments(records)}
    assert {k: c.status for k, c in found.items()} == {
        "4": Status.PUBLISHED, "5": Status.PUBLISHED, "8": Status.PUBLISHED,
        "9": Status.DELETED, "11": Status.PUBLISHED,
    }  # fmt: skip
    assert (found["5"].parent, found["11"].parent) == ("4", "9")
    assert found["9"].body == ""
    assert Counter(c.thread for c in found.values() if c.status == Status.PUBLISHED) == {
        "2": 3, "7": 1
    }  # fmt: skip
    assert skipped(records) == {"6 (thread 1337)": "on a thread not in the file"}
    # Thread 2's <id> is not a URL but it has a link; thread 7 has only its link; thread 3
    # has neither, and no posts.
    assert [(t.key, t.url, t.title) for t in threads(records)] == [
        ("2", "http://example.org/", "Hello, World!"),
        ("7", "http://localhost:4000/blog/2013/02/12/redacted/index.html", ""),
    ]
    assert found["5"].body == "<p>Hello, World.</p>"
    assert found["4"].created_at == datetime(2013, 10, 10, 19, 20, 29, tzinfo=UTC)
    assert (found["4"].author_name, found["4"].author_email) == ("peter", "foo@bar.com")
    assert found["4"].ip == "127.0.0.1"
    assert all(c.markup == Markup.HTML for c in found.values())


@real_files
def test_schnack_export_strips_whitespace_around_cdata_and_keeps_the_chain():
    records = list(disqus.read(SCHNACK_DISQUS))
    found = comments(records)
    assert len(found) == 5 and all(c.status == Status.PUBLISHED for c in found)
    assert max_depth(found) == 3
    by_key = {c.key: c for c in found}
    chain = ["1664694813", "1664831530", "1690922142", "1690992879"]
    assert [by_key[k].parent for k in chain] == [None, *chain[:-1]]
    assert all(c.body == c.body.strip() and c.body.startswith("<p>") for c in found)
    assert sorted(t.url for t in threads(records)) == [
        "http://localhost:3000/bar/", "http://localhost:3000/foo/"
    ]  # fmt: skip
    assert Counter(c.thread for c in found).most_common() == [
        (threads(records)[0].key, 4), (threads(records)[1].key, 1)
    ]  # fmt: skip
    assert skipped(records) == {}


@real_files
def test_a_real_export_with_deleted_posts_and_posts_on_threads_it_lacks():
    records = list(disqus.read(GYK001))
    found = comments(records)
    gone = skipped(records)
    assert len(found) + len(gone) == 23
    assert len(gone) == 6
    assert all(why == "on a thread not in the file" for why in gone.values())
    assert Counter(c.status for c in found) == {Status.DELETED: 11, Status.PUBLISHED: 6}
    visible = [c for c in found if c.status == Status.PUBLISHED]
    assert Counter(c.thread for c in visible) == {"1434374787": 4, "1051995794": 2}
    assert sum(1 for c in visible if c.parent is not None) == 3
    assert max_depth(visible) == 1
    assert sum(1 for c in found if cjk(c.body)) == 6  # the other 3 are on missing threads
    assert "<p>macvim在10.9下可以使用吗</p>" in {c.body for c in visible}  # CJK text intact
    assert len(threads(records)) == 71  # every thread; the store step ignores empty ones
    assert all(c.author_email == "" or c.author_email.endswith("@example.invalid") for c in found)


@real_files
@pytest.mark.parametrize("path", [REMARK42, REMARK42_DELETED])
def test_remark42_files_are_not_well_formed_and_yield_nothing(path):
    got, error = read_until_error(disqus.read(path))
    assert got == []
    assert error is not None
    assert (error.line, error.column) == (1, 0)
    assert str(error) == "line 1, column 0: the file is not well-formed XML: invalid token"


def test_every_quirk_of_our_own_file():
    records = list(disqus.read(QUIRKS))
    found = {c.key: c for c in comments(records)}
    assert {k: c.status for k, c in found.items()} == {
        "10": Status.PUBLISHED, "11": Status.PUBLISHED, "12": Status.SPAM,
        "13": Status.DELETED,  # deleted and spam: deleted
        "16": Status.PUBLISHED,
    }  # fmt: skip
    assert found["11"].parent == "10"  # the reply came first
    assert found["11"].body == "<p>A reply that comes before the post it answers.</p>"
    assert found["10"].body == "<p>Первый! 最初の</p>"
    assert found["16"].author_name == "only-a-username"
    assert found["16"].created_at == datetime(2020, 1, 7, 0, 0, tzinfo=UTC)  # from +02:00
    assert found["16"].thread == "2"
    assert skipped(records) == {
        "14": "a post whose <createdAt> is not an ISO 8601 date",
        "15": "a post whose <isDeleted> or <isSpam> is neither true nor false",
        "12345678890": "a post with no dsq:id",
        "17": disqus.NO_PAGE,
        "18": disqus.THREAD_DELETED,
        "19 (thread 999)": "on a thread not in the file",
        "20": "a post with no <thread dsq:id>",
    }
    assert [(t.key, t.url, t.title) for t in threads(records)] == [
        ("1", "https://blog.example/one/", "One & only"),
        ("2", "https://blog.example/from-id/", "Its URL is its id"),  # no link, a URL id
    ]


def test_a_wordpress_export_is_not_a_disqus_one():
    with pytest.raises(ParseError, match=r"not a Disqus export: .*<rss>"):
        list(disqus.read(DATA / "wxr-every-status.xml"))


@real_files
@pytest.mark.parametrize("path", [ISSO_DISQUS, SCHNACK_DISQUS, GYK001, REMARK42, REMARK42_DELETED])
def test_sniff_knows_each_real_disqus_export_and_wordpress_does_not(path):
    head = path.read_bytes()[:4096]
    # remark42's stray backtick before <?xml does not hide what it is: the reader then says
    # exactly where the file is broken.
    assert disqus.sniff(head)
    assert not wxr.sniff(head)


def test_sniff_wants_a_disqus_root():
    assert disqus.sniff(QUIRKS.read_bytes()[:4096])
    assert disqus.sniff('\ufeff<?xml version="1.0"?>\n<!-- x --><disqus>'.encode("utf-16"))
    assert not disqus.sniff(b"<?xml version='1.0'?><rss><disqus>")
    assert not disqus.sniff(b"")
    assert not disqus.sniff((DATA / "not-xml.xml").read_bytes())
