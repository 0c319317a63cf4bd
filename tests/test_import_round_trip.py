"""Out and back in: a site exported as WXR, as Disqus XML and as the JSON backup, and imported
into a new site by our own importers, comes back with the same threads, comments and nesting
(as far as each format carries them)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.exports import Sample, build_sample
from tests.support.shared_data import IMPORT_FILES
from widget.exporters import export
from widget.extensions import db
from widget.importers.formats import FORMATS, detect
from widget.importers.pages import parse_mapping
from widget.importers.store import Options, import_file
from widget.models import Comment, CommentSource, Site, Thread
from widget.text import clean_html


@pytest.fixture
def sample(make_site, make_comment) -> Sample:  # type: ignore[no-untyped-def]
    return build_sample(make_site, make_comment)


EVERY = ("published", "pending", "spam", "deleted")


def shape(
    site: Site, statuses: tuple[str, ...] = EVERY, field: str = "html"
) -> Counter[tuple[str, str, str, str | None]]:
    """Each comment as (page, status, its text, its parent's text or status if that is not
    among `statuses`), comparable across sites. HTML as the store would clean it: the sample
    sets some that no comment here would have (tests/support/exports.py)."""
    rows = db.session.execute(
        select(Comment, Thread.url_key).join(Thread).where(Thread.site_id == site.id)
    ).all()
    by_id = {c.id: c for c, _ in rows}

    def text(c: Comment) -> str:
        return clean_html(c.html) if field == "html" else c.body

    def parent(c: Comment) -> str | None:
        above = by_id.get(c.parent_id) if c.parent_id else None
        return None if above is None else text(above) if above.status in statuses else "hidden"

    return Counter((url, c.status, text(c), parent(c)) for c, url in rows if c.status in statuses)


def exported(site: Site, fmt: str, tmp_path: Path) -> Path:
    path = tmp_path / f"out.{fmt}"
    with path.open("wb") as out:
        export(site, fmt, out)
    return path


def test_wxr_comes_back_whole(sample, make_site, tmp_path):
    path = exported(sample.site, "wxr", tmp_path)
    assert detect(path).name == "wordpress"
    copy = make_site(name="Copy")
    report = import_file(copy, path, FORMATS["wordpress"], Options())
    assert shape(copy) == shape(sample.site)
    assert report.threads_created == len(sample.threads)
    again = import_file(copy, path, FORMATS["wordpress"], Options())
    assert again.already == len(sample.comments) and not again.imported


def test_disqus_xml_brings_back_what_readers_saw(sample, make_site, tmp_path):
    path = exported(sample.site, "disqus", tmp_path)
    assert detect(path).name == "disqus"
    copy = make_site(name="Copy")
    import_file(copy, path, FORMATS["disqus"], Options())
    assert shape(copy, ("published",)) == shape(sample.site, ("published",))
    # Held, spam and deleted go out as deleted posts (Disqus has no "held"): hidden both ways.
    hidden = sum(1 for c in sample.comments.values() if c.status != "published")
    assert Counter(db.session.scalars(
        select(Comment.status).join(Thread).where(Thread.site_id == copy.id)
    )) == {"published": len(sample.published), "deleted": hidden}  # fmt: skip


def test_the_json_backup_restores_everything_into_a_new_site(sample, make_site, tmp_path):
    path = exported(sample.site, "json", tmp_path)
    assert detect(path).name == "json"
    copy = make_site(name="Copy")
    report = import_file(copy, path, FORMATS["json"], Options())
    assert report.settings == "restored"
    db.session.refresh(copy)
    assert copy.name == sample.site.name and copy.origin_list == sample.site.origin_list
    assert shape(copy, field="body") == shape(sample.site, field="body")


@pytest.mark.skipif(not IMPORT_FILES.is_dir(), reason="../shared/data is not beside the checkout")
def test_imported_comments_are_what_readers_see_on_the_page(make_site, client):
    """A Disqus file's thread (Isso's test file), as the iframe shows it: the reply under its
    parent, the deleted post that has a reply standing as its placeholder."""
    site = make_site(origins=["http://example.org"])
    maps = [parse_mapping("http://localhost:4000=http://example.org")]
    import_file(site, IMPORT_FILES / "isso-disqus.xml", FORMATS["disqus"], Options(maps))
    thread = db.session.scalar(select(Thread).where(Thread.url_key == "http://example.org/"))
    assert thread is not None and thread.published_count == 3  # posts 4, 5 and 11
    page = client.get("/embed/thread", query_string={
        "site": site.key, "url": "http://example.org/", "title": "x", "parent": "http://example.org",
    })  # fmt: skip
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    first, reply = (by_source(site, key) for key in ("4", "5"))
    placeholder, under = (by_source(site, key) for key in ("9", "11"))
    tree = nesting(html)
    assert tree[str(reply.id)] == str(first.id) and tree[str(under.id)] == str(placeholder.id)
    assert "This comment was deleted." in html and "Hello, World." in html


def by_source(site: Site, key: str) -> Comment:
    found = db.session.scalar(
        select(Comment)
        .join(CommentSource)
        .where(CommentSource.site_id == site.id, CommentSource.source_key == key)
    )
    assert found is not None, key
    return found


def nesting(html: str) -> dict[str, str | None]:
    """Each comment's id on the page, with the id of the comment it is drawn inside."""
    parents: dict[str, str | None] = {}
    stack: list[str | None] = []
    for match in re.finditer(r"<li\b([^>]*)>|</li>", html):
        if match[0] == "</li>":
            stack.pop()
            continue
        found = re.search(r'data-id="(\d+)"', match[1])
        is_comment = found is not None and "comment" in match[1]
        cid = found[1] if found is not None and is_comment else None
        if cid is not None:
            parents[cid] = next((c for c in reversed(stack) if c), None)
        stack.append(cid)
    return parents
