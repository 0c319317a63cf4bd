"""`widget import` on export files other programs wrote (../shared/data/import/, read in place;
its README gives each file's origin, licence, counts and quirks), through the command line to
the database and the thread page readers see."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.support.shared_data import IMPORT_FILES
from widget.extensions import db
from widget.models import Comment, Thread

pytestmark = pytest.mark.skipif(
    not IMPORT_FILES.is_dir(), reason="../shared/data/import is not beside the checkout"
)

THEME_TEST = IMPORT_FILES / "wpimporter-theme-unit-test-data.xml"  # GPL-2.0-or-later
ISSO_WXR = IMPORT_FILES / "isso-wordpress.xml"  # MIT (Isso's tests)
ISSO_DISQUS = IMPORT_FILES / "isso-disqus.xml"  # MIT (Isso's tests)
SCHNACK_WXR = IMPORT_FILES / "schnack-importer-wordpress.xml"  # MIT
SCHNACK_DISQUS = IMPORT_FILES / "schnack-disqus.xml"  # Lil License v1
REMARK42 = IMPORT_FILES / "remark42-disqus.xml"  # MIT, not well-formed
GYK001 = IMPORT_FILES / "disqus2duoshuo-gyk001-disqus.redacted.xml"  # MIT, a real 2013 export


@pytest.fixture
def cli(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["import", *map(str, args)])


def statuses() -> Counter[str]:
    return Counter(db.session.scalars(select(Comment.status)))


def depth(comment: Comment) -> int:
    levels = 0
    while comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        assert parent is not None
        comment, levels = parent, levels + 1
    return levels


def test_wordpress_theme_unit_test_export(cli, make_site):
    site = make_site(origins=["https://wpthemetestdata.wordpress.com"])
    result = cli("--site", site.key, THEME_TEST)
    assert result.exit_code == 0, result.output
    assert "Read 33 comments (wordpress)." in result.output
    assert "4 pingback or trackback" in result.output
    # 26 approved comments that are not pings, 3 pending: as the file's README counts them.
    assert statuses() == {"published": 26, "pending": 3}
    assert max(depth(c) for c in db.session.scalars(select(Comment))) == 9
    bodies = " ".join(db.session.scalars(select(Comment.body)))
    assert "&laquo;" not in bodies and "&#8217;" not in bodies
    names = set(db.session.scalars(select(Comment.author_name)))
    assert any(not n.isascii() for n in names)  # the Greek authors
    assert all(n == n.strip() for n in names)  # comment 922's author had a newline before it
    reply = db.session.scalar(
        select(Comment).join(Thread).where(Comment.status == "pending", Comment.parent_id != None)  # noqa: E711
    )
    assert reply is not None  # 1017, a pending reply, keeps its parent

    again = cli("--site", site.key, "--pings", THEME_TEST)
    assert again.exit_code == 0, again.output
    assert "Already imported by an earlier run, left as they are: 29." in again.output
    assert db.session.scalar(select(func.count(Comment.id))) == 33
    # The pings' authors (921-924) hold WordPress's entities inside CDATA: decoded.
    names = " ".join(db.session.scalars(select(Comment.author_name)))
    assert "\u2019" in names or "\u00ab" in names
    assert "&#8217;" not in names and "&laquo;" not in names


def test_isso_test_suite_wxr_keeps_true_nesting_and_repeated_ids_apart(cli, make_site):
    site = make_site(origins=["http://example.tld"])
    result = cli("--site", site.key, ISSO_WXR)
    assert result.exit_code == 0, result.output
    urls = set(db.session.scalars(select(Thread.url_key)))
    assert urls == {"http://example.tld/2014/test/", "http://example.tld/?p=4"}
    assert db.session.scalar(select(func.count(Comment.id))) == 8  # id 11 is in both posts
    emails = set(db.session.scalars(select(Comment.author_email)))
    assert all(e == e.strip() for e in emails)
    replies = db.session.scalars(select(Comment).where(Comment.parent_id != None)).all()  # noqa: E711
    assert len(replies) == 3 and max(depth(c) for c in replies) == 2


def test_schnack_wxr_with_every_field_in_cdata(cli, make_site):
    site = make_site(origins=["https://betamode.de"])  # the file says http://
    result = cli("--site", site.key, SCHNACK_WXR)
    assert result.exit_code == 0, result.output
    assert statuses() == {"published": 2}
    assert set(db.session.scalars(select(Thread.url_key))) == {
        "https://betamode.de/2005/09/10/hello-world/"
    }


def test_isso_test_suite_disqus_export(cli, make_site):
    site = make_site(origins=["http://example.org"])
    result = cli(
        "--site", site.key, "--map", "http://localhost:4000=http://example.org", ISSO_DISQUS
    )
    assert result.exit_code == 0, result.output
    # 4 visible posts, and deleted post 9 kept as the placeholder its reply 11 hangs from.
    assert statuses() == {"published": 4, "deleted": 1}
    assert "on a thread not in the file" in result.output  # post 6, on thread 1337
    deleted = db.session.scalar(select(Comment).where(Comment.status == "deleted"))
    assert db.session.scalar(select(Comment).where(Comment.parent_id == deleted.id)) is not None


def test_schnack_disqus_export_from_localhost_needs_a_map(cli, make_site):
    site = make_site(origins=["https://schnack.example"])
    refused = cli("--site", site.key, SCHNACK_DISQUS)
    assert refused.exit_code == 0 and statuses() == {}
    assert "--map http://localhost:3000=NEW" in refused.output
    result = cli("--site", site.key, "--map", "http://localhost:3000=https://schnack.example",
                 SCHNACK_DISQUS)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert statuses() == {"published": 5}
    chain = max(db.session.scalars(select(Comment)), key=depth)
    assert depth(chain) == 3
    assert all(b == b.strip() for b in db.session.scalars(select(Comment.body)))


def test_a_real_disqus_export_with_messy_urls(cli, make_site):
    site = make_site(origins=["http://guoyukun.cn"])
    result = cli("--site", site.key, GYK001)
    assert result.exit_code == 0, result.output
    published = db.session.scalars(select(Comment).where(Comment.status == "published")).all()
    assert len(published) == 6
    threads = {c.thread_id for c in published}
    assert len(threads) == 2  # www. and bare host are one page
    assert sum(1 for c in published if c.parent_id) == 3
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in c.body) for c in published)
    assert "localhost:4000 is not one of the site's origins" in result.output


def test_a_file_that_is_not_well_formed_is_an_error_with_its_place_and_writes_nothing(cli, site):
    result = cli("--site", site.key, "--format", "disqus", REMARK42)
    assert result.exit_code == 1
    assert "remark42-disqus.xml: line 1, column 0" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_an_unknown_site_or_a_bad_map_is_a_usage_error(cli, site):
    assert "no site has the key 'nope'" in cli("--site", "nope", ISSO_WXR).output
    result = cli("--site", site.key, "--map", "nonsense", ISSO_WXR)
    assert result.exit_code == 2 and "give OLD=NEW" in result.output


def test_a_file_of_no_known_format_says_so(cli, site, tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some text\n")
    result = cli("--site", site.key, odd)
    assert result.exit_code == 1 and "not a file we can import" in result.output
