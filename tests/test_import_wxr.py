"""The WordPress (WXR) reader on real exports (../shared/data/import/, read in place; its
README gives each file's origin, licence and counts) and on a file of our own with every
status and quirk (tests/data/import/)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.support.import_records import DATA, comments, max_depth, skipped, threads
from tests.support.shared_data import IMPORT_FILES
from widget.importers import disqus, wxr
from widget.importers.records import Kind, Markup, ParseError
from widget.models import Status

THEME_TEST = IMPORT_FILES / "wpimporter-theme-unit-test-data.xml"  # GPL-2.0-or-later
ISSO_WXR = IMPORT_FILES / "isso-wordpress.xml"  # MIT (Isso's tests)
SCHNACK_WXR = IMPORT_FILES / "schnack-importer-wordpress.xml"  # MIT
EVERY_STATUS = DATA / "wxr-every-status.xml"

real_files = pytest.mark.skipif(
    not IMPORT_FILES.is_dir(), reason="../shared/data/import is not beside the checkout"
)


@real_files
def test_theme_unit_test_export_on_the_https_namespace():
    records = list(wxr.read(THEME_TEST))
    found = comments(records)
    assert len(found) == 33
    assert Counter((c.status, c.kind) for c in found) == {
        (Status.PUBLISHED, Kind.COMMENT): 26,
        (Status.PENDING, Kind.COMMENT): 3,
        (Status.PUBLISHED, Kind.PINGBACK): 2,
        (Status.PUBLISHED, Kind.TRACKBACK): 2,
    }
    assert {c.key for c in found if c.status == Status.PENDING} == {
        "1148:1015", "703:1016", "155:1017"
    }  # fmt: skip
    assert {c.thread for c in found if c.kind != Kind.COMMENT} == {"1149"}
    assert Counter(c.thread for c in found) == {
        "51": 1, "155": 4, "703": 1, "1148": 20, "1149": 5, "1168": 1, "1170": 1
    }  # fmt: skip
    assert sum(1 for c in found if c.parent is not None) == 10
    assert found[[c.key for c in found].index("155:1017")].parent == "155:168"
    assert max_depth(found) == 9
    assert all(c.markup == Markup.WORDPRESS for c in found)
    assert all(c.author_name for c in found)  # registered users' too
    assert skipped(records) == {}


@real_files
def test_theme_unit_test_export_threads_are_its_items_with_comments():
    found = threads(wxr.read(THEME_TEST))
    assert [t.key for t in found] == ["51", "155", "703", "1148", "1149", "1168", "1170"]
    page = found[1]
    assert page.url == "https://wpthemetestdata.wordpress.com/about/page-with-comments/"
    assert page.title == "Page with comments"


@real_files
def test_entities_in_cdata_are_decoded_and_whitespace_around_it_stripped():
    found = {c.key: c for c in comments(wxr.read(THEME_TEST))}
    ping = found["1149:922"]  # a newline and indentation before its CDATA
    assert ping.author_name.startswith("Ping 2 with a much longer title")
    assert ping.author_name.endswith("Ping 1 \u00ab What\u2019s a tellyworth?")
    everything = " ".join(f"{c.author_name} {c.body}" for c in found.values())
    assert "&laquo;" not in everything and "&#8217;" not in everything
    greek = [c for c in found.values() if any("\u0370" <= ch <= "\u03ff" for ch in c.author_name)]
    assert len(greek) == 4 and "John Γιάννης Doe Κάποιος" in {c.author_name for c in greek}
    image = found["1148:917"]  # an attribute's raw "&" is not an entity: it stays
    assert "?w=171&h=128" in image.body


@real_files
def test_comment_two_with_status_and_type_in_cdata():
    first = comments(wxr.read(THEME_TEST))[0]
    assert first.key == "51:2"
    assert (first.status, first.kind) == (Status.PUBLISHED, Kind.COMMENT)
    assert first.created_at == datetime(2023, 1, 16, 7, 17, 56, tzinfo=UTC)


@real_files
def test_isso_test_suite_export_keeps_repeated_ids_apart_and_nesting_true():
    records = list(wxr.read(ISSO_WXR))
    found = comments(records)
    assert len(found) == 8
    keys = [c.key for c in found]
    assert len(set(keys)) == 8
    # Comment 11 is in both items; the second item has no wp:post_id, so its link keys it.
    assert {k for k in keys if k.endswith(":11")} == {"18:11", "http://example.tld/?p=4:11"}
    assert [(t.key, t.url) for t in threads(records)] == [
        ("18", "http://example.tld/2014/test/"),
        ("http://example.tld/?p=4", "http://example.tld/?p=4"),
    ]
    by_key = {c.key: c for c in found}
    assert [by_key[k].parent for k in ("18:7", "18:8", "18:9")] == ["18:6", "18:7", "18:7"]
    assert max_depth(found) == 2
    assert all(c.status == Status.PUBLISHED for c in found)
    # Comment 7 has only comment_date_gmt; comment 10's local date is 10 h off its GMT one.
    assert by_key["18:7"].created_at == datetime(2014, 4, 29, 15, 21, 35, tzinfo=UTC)
    assert by_key["18:10"].created_at == datetime(2022, 6, 6, 2, 13, 14, tzinfo=UTC)
    assert by_key["18:2"].author_email == "test@example.org"  # had a newline and spaces
    assert all(c.author_email == c.author_email.strip() for c in found)
    assert by_key["18:2"].body == "Erster!1"  # whitespace before its CDATA
    assert by_key["18:7"].body == "Drölfter!"
    assert threads(records)[0].title == "Hello, World…"
    assert by_key["18:2"].ip == "::ffff:82.119.20.0"
    assert skipped(records) == {}


@real_files
def test_schnack_export_with_every_field_in_cdata():
    records = list(wxr.read(SCHNACK_WXR))
    found = comments(records)
    assert [(c.key, c.status, c.parent) for c in found] == [
        ("1:1", Status.PUBLISHED, None),
        ("1:2", Status.PUBLISHED, None),
    ]
    assert found[0].author_email == ""  # an empty CDATA
    assert found[0].ip == "127.0.0.1"
    assert found[0].created_at == datetime(2005, 9, 10, 20, 37, 30, tzinfo=UTC)
    assert "<br />" in found[0].body
    assert threads(records)[0].url == "http://betamode.de/2005/09/10/hello-world/"


def test_every_status_type_and_date_quirk():
    records = list(wxr.read(EVERY_STATUS))
    found = {c.key: c for c in comments(records)}
    assert {k: (c.status, c.kind) for k, c in found.items() if k.startswith("10:")} == {
        "10:1": (Status.PUBLISHED, Kind.COMMENT),
        "10:2": (Status.PENDING, Kind.COMMENT),
        "10:3": (Status.SPAM, Kind.COMMENT),
        "10:4": (Status.DELETED, Kind.COMMENT),  # trash
        "10:5": (Status.PENDING, Kind.COMMENT),  # post-trashed: anything else is held
        "10:6": (Status.PUBLISHED, Kind.PINGBACK),
        "10:7": (Status.PUBLISHED, Kind.TRACKBACK),
        "10:8": (Status.PUBLISHED, Kind.COMMENT),  # " 1 " in CDATA
    }
    first = found["10:1"]
    assert first.author_name == "Tom & Jerry"
    assert first.author_email == "tom@example.org"
    assert first.ip == "198.51.100.7"
    assert first.created_at == datetime(2020, 3, 1, 13, 0, tzinfo=UTC)  # the GMT one
    # Typographic entities become characters; those that stand for markup stay as written.
    assert first.body.startswith(
        "\u00abQuoted\u00bb \u2014 it\u2019s fine.\nWrite &lt;b&gt; to get bold &amp; see"
    )
    assert '<a href="https://x.example/?a=1&b=2">x</a>' in first.body
    assert found["10:2"].parent == "10:1"
    # What only looks like an entity stays (html.unescape would make "&not" a "¬").
    assert found["10:6"].author_url == "https://other.example/linking-post/?a=1&not=2"
    assert found["10:8"].created_at == datetime(2019, 5, 6, 7, 8, 9, tzinfo=UTC)  # local as UTC
    assert skipped(records) == {
        "10:9": "a comment of type 'order_note', not a reader's",
        "10:10": "a comment with no date (comment_date_gmt, comment_date)",
        "10:": "a comment with no wp:comment_id",
        "30:1": "on a post with no <link>",
    }
    # Ids repeat across posts; a reply may come before what it answers.
    assert (found["20:2"].parent, found["20:1"].parent) == ("20:1", None)
    assert [(t.key, t.url) for t in threads(records)] == [
        ("10", "https://blog.example/all/"),
        ("20", "https://blog.example/again/"),
        ("40", "https://blog.example/?p=40"),  # its id after its comments; its guid as URL
        ("https://blog.example/no-id/", "https://blog.example/no-id/"),
    ]
    assert threads(records)[0].title == "All the statuses \u2013 and more"
    assert found["40:1"].thread == "40"


def test_a_thread_comes_before_its_comments():
    seen: set[str] = set()
    for record in wxr.read(EVERY_STATUS):
        if hasattr(record, "thread"):
            assert record.thread in seen
        elif hasattr(record, "url"):
            seen.add(record.key)


@real_files
def test_a_disqus_file_is_not_a_wordpress_export():
    with pytest.raises(ParseError, match=r"not a WordPress export: .*<disqus>") as raised:
        list(wxr.read(IMPORT_FILES / "isso-disqus.xml"))
    assert raised.value.line is None


@real_files
@pytest.mark.parametrize(
    "name",
    ["wpimporter-theme-unit-test-data.xml", "isso-wordpress.xml",
     "schnack-importer-wordpress.xml"],
)  # fmt: skip
def test_sniff_knows_each_real_wordpress_export_and_disqus_does_not(name):
    head = (IMPORT_FILES / name).read_bytes()[:4096]
    assert wxr.sniff(head)
    assert not disqus.sniff(head)


def test_sniff_needs_the_wordpress_namespace_on_an_rss_root():
    assert wxr.sniff(EVERY_STATUS.read_bytes()[:4096])  # https:// and a prefix not "wp"
    plain_rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
    assert not wxr.sniff(plain_rss)
    namespace_elsewhere = b'<feed xmlns:wp="http://wordpress.org/export/1.2/">'
    assert not wxr.sniff(namespace_elsewhere)
    assert wxr.sniff(EVERY_STATUS.read_text().encode("utf-16"))
    assert not wxr.sniff(b"")
    assert not wxr.sniff((DATA / "not-xml.xml").read_bytes())
