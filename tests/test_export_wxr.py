"""The WXR export: a WordPress eXtended RSS 1.2 file with every thread and comment, read back
here with xml.etree as WordPress's importer reads it (by the 1.2 namespace)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from tests.support.exports import OTHER_PAGE, TRICKY_HTML, TRICKY_NAME, build_sample, clean_name
from widget.exporters import rows, wxr
from widget.extensions import db
from widget.models import Status

WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def exported(site):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    counts = wxr.write(site, out)
    return counts, out.getvalue(), ET.fromstring(out.getvalue())


def by_id(root):  # type: ignore[no-untyped-def]
    return {
        int(c.findtext(f"{WP}comment_id")): c
        for item in root.iter("item")
        for c in item.findall(f"{WP}comment")
    }


@pytest.fixture
def sample(make_site, make_comment):  # type: ignore[no-untyped-def]
    return build_sample(make_site, make_comment)


def test_the_channel_names_the_site_and_the_format(sample):
    _, raw, root = exported(sample.site)
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert root.tag == "rss"
    channel = root.find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.findtext("title") == "Blog & <Friends> ]]>"
    assert channel.findtext("link") == "https://blog.example.com"


def test_every_thread_is_a_published_post_open_for_comments(sample):
    counts, _, root = exported(sample.site)
    items = root.find("channel").findall("item")
    assert counts == {"threads": 2, "comments": len(sample.comments)}
    assert [int(i.findtext(f"{WP}post_id")) for i in items] == [t.id for t in sample.threads]
    assert [i.findtext("link") for i in items] == [t.url for t in sample.threads]
    assert items[1].findtext("link") == OTHER_PAGE
    assert [i.findtext("title") for i in items] == ["Hello", "Second & <last> ]]>"]
    for item in items:
        assert item.findtext(f"{WP}post_type") == "post"
        assert item.findtext(f"{WP}status") == "publish"
        assert item.findtext(f"{WP}comment_status") == "open"
        assert item.find(f"{CONTENT}encoded") is not None


def test_every_comment_of_every_status_is_in_its_thread(sample):
    _, _, root = exported(sample.site)
    items = root.find("channel").findall("item")
    for item, thread in zip(items, sample.threads, strict=True):
        ids = [int(c.findtext(f"{WP}comment_id")) for c in item.findall(f"{WP}comment")]
        assert ids == [c.id for c in rows.comments_of(thread)]
    approved = {i: c.findtext(f"{WP}comment_approved") for i, c in by_id(root).items()}
    expected = {Status.PUBLISHED: "1", Status.PENDING: "0", Status.SPAM: "spam"}
    expected[Status.DELETED] = "trash"
    assert approved == {c.id: expected[Status(c.status)] for c in sample.comments.values()}
    assert sorted(set(approved.values())) == ["0", "1", "spam", "trash"]


def test_replies_name_their_parent_and_top_level_comments_zero(sample):
    comments = by_id(exported(sample.site)[2])
    parents = {i: int(c.findtext(f"{WP}comment_parent")) for i, c in comments.items()}
    assert parents == {c.id: c.parent_id or 0 for c in sample.comments.values()}
    deep = sample.comments["deep"]
    assert parents[parents[deep.id]] == sample.comments["top"].id  # three levels
    assert parents[sample.comments["under_deleted"].id] == sample.comments["deleted"].id


def test_comment_fields_dates_and_type(sample):
    comments = by_id(exported(sample.site)[2])
    top = sample.comments["top"]
    element = comments[top.id]
    assert element.findtext(f"{WP}comment_author") == top.author_name
    assert element.findtext(f"{WP}comment_author_email") == top.author_email
    assert element.findtext(f"{WP}comment_author_url") == "https://zoe.example/?a=1&b=2"
    assert element.findtext(f"{WP}comment_date_gmt") == "2026-01-02 03:04:12"
    assert element.findtext(f"{WP}comment_date") == "2026-01-02 03:04:12"
    assert element.findtext(f"{WP}comment_type") == "comment"
    assert element.find(f"{WP}comment_author_IP") is not None
    reply = comments[sample.comments["reply"].id]
    assert reply.findtext(f"{WP}comment_date_gmt") == "2026-01-02 03:05:12"


def test_bodies_and_names_survive_as_text_whatever_they_hold(sample):
    _, raw, root = exported(sample.site)
    comments = by_id(root)
    top = sample.comments["top"]
    # The stored HTML, escaped markup and all, comes back exactly: nothing became markup.
    assert comments[top.id].findtext(f"{WP}comment_content") == top.html
    assert "&lt;script&gt;" in top.html and "Ünïcødé — 日本語" in top.html
    assert b"<script>" not in raw
    tricky = comments[sample.comments["tricky"].id]
    assert tricky.findtext(f"{WP}comment_content") == TRICKY_HTML  # holds "]]>"
    assert tricky.findtext(f"{WP}comment_author") == clean_name(TRICKY_NAME)


def test_a_thread_without_a_title_is_called_by_its_url(sample):
    sample.threads[0].title = ""
    db.session.commit()
    items = exported(sample.site)[2].find("channel").findall("item")
    assert items[0].findtext("title") == sample.threads[0].url


def test_threads_are_read_a_page_at_a_time_and_none_is_missed(sample, monkeypatch):
    monkeypatch.setattr(rows, "THREADS_PER_QUERY", 1)
    counts, _, root = exported(sample.site)
    assert counts["threads"] == 2 and len(root.find("channel").findall("item")) == 2


def test_a_site_without_comments_is_an_empty_channel(make_site):
    counts, _, root = exported(make_site(name="Quiet"))
    assert counts == {"threads": 0, "comments": 0}
    assert root.find("channel").findall("item") == []


def test_another_sites_comments_stay_out(sample, make_site, make_comment):
    other = make_site(name="Other", origins=["https://other.example"])
    make_comment(other, url="https://other.example/p/")
    ids = set(by_id(exported(sample.site)[2]))
    assert ids == {c.id for c in sample.comments.values()}
