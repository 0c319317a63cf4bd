"""The store step every import goes through (importers/store.py), fed records directly
(tests/support/records_file.py) so that what it does is tested apart from any format."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support import records_file as rf
from tests.support.blog import BLOG
from widget.extensions import db
from widget.importers.pages import parse_mapping
from widget.importers.records import ParseError
from widget.importers.store import Options, import_file
from widget.models import Comment, CommentSource, Site, Thread

POST = f"{BLOG}/2015/03/post/"


def run(site: Site, path: Path, **options: object) -> object:
    maps = [parse_mapping(m) for m in options.pop("maps", [])]  # type: ignore[attr-defined]
    return import_file(site, path, rf.RECORDS, Options(maps, **options))  # type: ignore[arg-type]


def comments() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def by_body(text: str) -> Comment:
    found = db.session.scalar(select(Comment).where(Comment.body == text))
    assert found is not None, text
    return found


def test_a_thread_comes_with_its_nesting_statuses_and_dates(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p1", POST, "A post"),
        # A reply before what it answers, as Disqus files have them.
        rf.comment("3", "p1", parent="2", body="grandchild"),
        rf.comment("1", "p1", body="top"),
        rf.comment("2", "p1", parent="1", body="child"),
        rf.comment("4", "p1", body="held one", status="pending"),
        rf.comment("5", "p1", body="spammy", status="spam"),
        rf.comment("6", "p1", body="gone", status="deleted"),
    ])  # fmt: skip
    report = run(site, path)
    assert report.imported == {"published": 3, "pending": 1, "spam": 1, "deleted": 1}
    assert (report.threads_created, report.threads_merged) == (1, 0)
    thread = db.session.scalar(select(Thread))
    assert (thread.url_key, thread.title, thread.published_count) == (POST, "A post", 3)
    top, child, grandchild = by_body("top"), by_body("child"), by_body("grandchild")
    assert (child.parent_id, grandchild.parent_id) == (top.id, child.id)
    assert grandchild.root_id == top.id
    assert top.created_at.year == 2015
    assert by_body("held one").status_reason == "imported"


def test_running_the_same_import_again_adds_and_changes_nothing(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p1", POST), rf.comment("1", "p1"), rf.comment("2", "p1", parent="1"),
    ])  # fmt: skip
    run(site, path)
    before = [(c.id, c.parent_id, c.body) for c in comments()]
    again = run(site, path)
    assert [(c.id, c.parent_id, c.body) for c in comments()] == before
    assert (again.already, sum(again.imported.values())) == (2, 0)
    assert (again.threads_created, again.threads_merged) == (0, 1)


def test_a_reply_added_to_the_file_later_finds_its_parent_from_the_first_run(site, tmp_path):
    run(site, rf.write(tmp_path / "a.jsonl", [rf.thread("p1", POST), rf.comment("1", "p1")]))
    run(site, rf.write(tmp_path / "b.jsonl", [
        rf.thread("p1", POST), rf.comment("1", "p1"), rf.comment("2", "p1", parent="1"),
    ]))  # fmt: skip
    assert by_body("Comment 2").parent_id == by_body("Comment 1").id


def test_a_broken_file_writes_nothing_however_far_it_got(site, tmp_path):
    lines = [rf.thread("p1", POST)] + [rf.comment(str(n), "p1") for n in range(3000)]
    path = rf.write(tmp_path / "in.jsonl", [*lines, {"error": "unexpected end of file"}])
    with pytest.raises(ParseError, match="line 3002, column 1: unexpected end of file"):
        run(site, path)
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [rf.thread("p1", POST), rf.comment("1", "p1")])
    report = run(site, path, dry_run=True)
    assert report.imported["published"] == 1 and report.threads_created == 1
    assert "Dry run: nothing was written." in report.lines()
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.scalar(select(func.count(CommentSource.comment_id))) == 0


def test_pages_land_on_the_sites_own_origin_or_are_reported(make_site, tmp_path):
    site = make_site(origins=["https://blog.example.com", "https://other.example"])
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("path", "/2015/03/post/"),  # Isso keeps paths
        rf.thread("www", "http://www.blog.example.com/2015/03/post/#comments"),
        rf.thread("dev", "http://localhost:4000/2015/03/post/"),
        rf.thread("old", "https://old.example/about/"),
        rf.comment("1", "path"), rf.comment("2", "www"), rf.comment("3", "dev"),
        rf.comment("4", "old"),
    ])  # fmt: skip
    report = run(site, path)
    urls = set(db.session.scalars(select(Thread.url_key)))
    assert urls == {POST}  # a path, www. and http:// are all the one page
    assert report.threads_created == 1 and report.imported["published"] == 2
    why = " ".join(report.skipped)
    assert "http://localhost:4000 is not one of the site's origins" in why
    assert "--map https://old.example=NEW" in why


def test_map_moves_pages_by_origin_and_by_path(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("old", "https://OLD.example/blog/post/"),
        rf.thread("moved", "/archive/2015/post/"),
        rf.thread("near", "https://old.example.com/x/"),  # not under https://old.example
        rf.comment("1", "old"), rf.comment("2", "moved"), rf.comment("3", "near"),
    ])  # fmt: skip
    maps = ["https://old.example/blog=https://blog.example.com", "/archive/=/"]
    report = run(site, path, maps=maps)
    urls = set(db.session.scalars(select(Thread.url_key)))
    assert urls == {f"{BLOG}/post/", f"{BLOG}/2015/post/"}
    assert report.skipped and "https://old.example.com" in next(iter(report.skipped))


def test_a_page_that_has_a_thread_here_gets_the_comments_whatever_its_trailing_slash(
    site, make_comment, tmp_path
):
    make_comment(site, url=POST, body="written here")
    path = rf.write(tmp_path / "in.jsonl", [rf.thread("p", POST.rstrip("/")), rf.comment("1", "p")])
    report = run(site, path)
    assert report.threads_merged == 1 and report.threads_created == 0
    thread = db.session.scalar(select(Thread))
    assert thread.published_count == 2


def test_bodies_are_made_as_safe_as_new_comments(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p", POST),
        rf.comment("1", "p", body='<p>Hi <script>alert(1)</script><a href="/wp-admin">x</a>'
                   '<img src=x onerror=alert(2)> <a href="https://e.example">ok</a></p>'),
        rf.comment("2", "p", markup="wordpress", body="first line\nsecond\n\n&laquo;quoted&raquo;"),
        rf.comment("3", "p", markup="markdown", body="**bold** <b>raw</b>"),
    ])  # fmt: skip
    run(site, path)
    first, second, third = comments()
    assert (
        "<script" not in first.html
        and "onerror" not in first.html
        and "/wp-admin" not in first.html
    )
    assert '<a href="https://e.example" rel="nofollow ugc noopener">ok</a>' in first.html
    assert first.body == "Hi x ok"
    assert second.html == "<p>first line<br>\nsecond</p>\n<p>«quoted»</p>"
    assert second.body == "first line\nsecond\n\n«quoted»"
    assert "<strong>bold</strong>" in third.html and "<b>" not in third.html


def test_pings_are_kept_apart_unless_asked_for(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p", POST), rf.comment("1", "p"), rf.comment("2", "p", kind="pingback"),
    ])  # fmt: skip
    report = run(site, path)
    assert report.imported["published"] == 1 and sum(report.skipped.values()) == 1
    assert run(site, path, pings=True).imported["published"] == 1
    assert len(comments()) == 2


def test_orphans_stand_at_the_top_and_cycles_do_not_hang(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p", POST),
        rf.comment("1", "p", parent="missing"),
        rf.comment("2", "p", parent="3"), rf.comment("3", "p", parent="2"),
    ])  # fmt: skip
    report = run(site, path)
    assert report.imported["published"] == 3
    assert by_body("Comment 1").parent_id is None
    assert report.orphans == 2  # the one whose parent is missing, and the cycle broken once


def test_bad_author_fields_are_cleaned_not_refused(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p", POST),
        rf.comment("1", "p", author_name="  ", author_email="not an email",
                   author_url="javascript:alert(1)", ip="::ffff:82.119.20.0"),
    ])  # fmt: skip
    run(site, path)
    (only,) = comments()
    assert (only.author_name, only.author_email, only.author_url) == ("Anonymous", "", "")
    assert only.ip_hash


def test_one_sites_import_never_touches_another_site(make_site, tmp_path):
    first, second = make_site(), make_site(name="Other")
    path = rf.write(tmp_path / "in.jsonl", [rf.thread("p", POST), rf.comment("1", "p")])
    run(first, path)
    report = run(second, path)
    assert report.imported["published"] == 1 and report.already == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 2


def test_what_the_reader_skipped_counts_as_read_and_is_reported_with_an_example(site, tmp_path):
    path = rf.write(tmp_path / "in.jsonl", [
        rf.thread("p", POST), rf.comment("1", "p"), rf.comment("1", "p"),
        {"skipped": {"key": "9 (thread 77)", "why": "on a thread not in the file"}},
    ])  # fmt: skip
    report = run(site, path)
    assert report.comments_in_file == 2  # the repeated one is one comment
    assert "  1 on a thread not in the file (e.g. 9 (thread 77))" in report.lines()
    assert report.skipped["the comment appears twice in the file"] == 1
