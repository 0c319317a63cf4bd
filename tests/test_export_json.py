"""The JSON backup: a site with comments of every status exported, checked against
docs/export-schema.json, searched for every secret the database holds, read back into the
records it was made from, and restored into a new site through the store step."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from sqlalchemy import String, select

from tests.support.blog import BLOG
from tests.support.exports import TRICKY_HTML, Sample, build_sample
from widget.auth.tokens import issue_session
from widget.comments.blocks import ip_digest
from widget.exporters import json_backup
from widget.extensions import db
from widget.importers import json_backup as backup_reader
from widget.importers.formats import FORMATS
from widget.importers.records import Markup, SourceComment, SourceSettings, SourceThread
from widget.importers.store import Options, import_file
from widget.models import Comment, CommentSource, Identity, Site, Status, Thread, User, as_utc
from widget.owner_sessions import start
from widget.owners import create_owner
from widget.text import clean_html

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "export-schema.json"
SECRET_COLUMNS = re.compile(r"hash|token|secret|password|nonce|subject")


@pytest.fixture
def sample(make_site, make_comment) -> Sample:  # type: ignore[no-untyped-def]
    """build_sample's site with settings of its own, an edit, a reason, a provider, an
    imported comment, and secrets of every kind in the database beside it."""
    sample = build_sample(make_site, make_comment)
    site = sample.site
    site.origins[0].origin = BLOG  # kept, with a second one
    site.origins.append(type(site.origins[0])(origin="https://www.blog.example.com"))
    site.moderation, site.link_limit, site.guests_allowed = "links", 3, False
    site.disabled_providers, site.held_words = ["google"], ["casino", "Ünï"]
    site.theme, site.reply_depth = "dark", 3
    comments = sample.comments
    comments["reply"].edited_at = comments["reply"].created_at + timedelta(minutes=5)
    # As moderation leaves them (a held comment without its reason would come back "imported").
    comments["pending"].status_reason = "links"
    comments["reply_to_pending"].status_reason = "first_time"
    comments["spam"].status_reason = comments["deleted"].status_reason = "owner"
    comments["signed_in"].provider = "github"
    for comment in comments.values():
        comment.ip_hash = ip_digest("203.0.113.9")
    comments["tricky"].html = clean_html(TRICKY_HTML)  # as the WordPress import stored it
    db.session.add(CommentSource(comment_id=comments["tricky"].id, site_id=site.id,
                                 source="wordpress", source_key="12"))  # fmt: skip
    user = db.session.get(User, comments["signed_in"].user_id)
    identity = Identity(user=user, provider="github", subject="gh-4242", email="sam@x.example")
    db.session.add(identity)
    db.session.commit()
    issue_session(identity.id, site.id)
    owner = create_owner("owner@example.com", "a long and unguessable passphrase", sites=[site])
    start(owner, "test browser")
    db.session.commit()
    return sample


def exported(site: Site) -> tuple[dict[str, int], bytes]:
    out = io.BytesIO()
    counts = json_backup.write(site, out)
    return counts, out.getvalue()


def test_the_export_validates_against_its_schema(sample: Sample) -> None:
    schema = json.loads(SCHEMA.read_text())
    assert jsonschema_rs.meta.is_valid(schema)
    _, text = exported(sample.site)
    document = json.loads(text)
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    assert [e.message for e in validator.iter_errors(document)] == []
    assert not validator.is_valid({**document, "secret": "x"})  # the schema is strict


def test_the_export_has_every_setting_thread_and_status(sample: Sample) -> None:
    counts, text = exported(sample.site)
    document = json.loads(text)
    assert counts == {"threads": 2, "comments": len(sample.comments)}
    assert (document["format"], document["version"]) == ("widget-backup", 1)
    assert document["site"] == {
        "key": sample.site.key, "name": "Blog & <Friends> ]]>",
        "origins": [BLOG, "https://www.blog.example.com"], "moderation": "links",
        "guests_allowed": False, "link_limit": 3, "disabled_providers": ["google"],
        "held_words": ["casino", "Ünï"], "theme": "dark", "reply_depth": 3,
    }  # fmt: skip
    assert [t["url"] for t in document["threads"]] == [t.url for t in sample.threads]
    written = {c["id"]: c for t in document["threads"] for c in t["comments"]}
    assert {c["status"] for c in written.values()} == {s.value for s in Status}
    tricky, pending = sample.comments["tricky"], sample.comments["pending"]
    assert written[tricky.id]["html"] == clean_html(TRICKY_HTML)
    assert written[tricky.id]["source"] == {"source": "wordpress", "key": "12"}
    assert written[pending.id]["status_reason"] == "links"
    assert written[sample.comments["deep"].id]["parent_id"] == sample.comments["reply"].id
    assert written[sample.comments["signed_in"].id]["provider"] == "github"


def test_the_export_is_one_line_a_thread_and_ascii(sample: Sample) -> None:
    _, text = exported(sample.site)
    lines = text.decode("ascii").splitlines()
    assert len(lines) == 1 + len(sample.threads) + 1  # the head, a line a thread, the end
    assert json.loads(lines[1].rstrip(","))["url"] == sample.threads[0].url


def every_secret() -> set[str]:
    """Every value the database keeps in a column named for a hash, token, secret, password,
    nonce or account subject, in every table."""
    found: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if SECRET_COLUMNS.search(column.name) and isinstance(column.type, String):
                found |= {v for v in db.session.scalars(select(column)) if v and len(v) >= 6}
    return found


def test_no_hash_token_or_account_leaves_with_the_export(sample: Sample) -> None:
    secrets = every_secret()
    edit_keys = {c.edit_key_hash for c in sample.comments.values()}
    assert edit_keys <= secrets and ip_digest("203.0.113.9") in secrets and "gh-4242" in secrets
    assert len(secrets) >= len(edit_keys) + 4  # the password, owner session, reader token too
    _, text = exported(sample.site)
    document = text.decode()
    assert [s for s in secrets if s in document] == []
    names = set(re.findall(r'"([a-z_]+)": ', document))
    assert not {n for n in names if re.search(r"hash|token|password|secret|user|owner", n)}


def test_a_backup_reads_back_into_the_records_it_was_made_of(sample: Sample, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "backup.json"
    path.write_bytes(exported(sample.site)[1])
    site = sample.site
    expected: list[Any] = [SourceSettings({
        "name": site.name, "origins": site.origin_list, "moderation": "links",
        "guests_allowed": False, "link_limit": 3, "disabled_providers": ["google"],
        "held_words": ["casino", "Ünï"], "theme": "dark", "reply_depth": 3,
    })]  # fmt: skip
    for thread in sample.threads:
        expected.append(SourceThread(str(thread.id), thread.url, thread.title))
        comments = db.session.scalars(
            select(Comment).where(Comment.thread_id == thread.id).order_by(Comment.created_at)
        )
        expected += [record_of(c, site.key) for c in comments]
    assert list(backup_reader.read(path)) == expected


def record_of(comment: Comment, site_key: str) -> SourceComment:
    """What the reader should make of `comment`: the imported one keeps its first source and
    its HTML, every other its Markdown and the site's key with its id."""
    imported = db.session.get(CommentSource, comment.id)
    first = (
        (imported.source, imported.source_key)
        if imported
        else ("widget", f"{site_key}:{comment.id}")
    )
    return SourceComment(
        key=str(comment.id), thread=str(comment.thread_id),
        parent=str(comment.parent_id) if comment.parent_id else None,
        author_name=comment.author_name, author_email=comment.author_email,
        author_url=comment.author_url,
        body=comment.html if imported else comment.body,
        markup=Markup.HTML if imported else Markup.MARKDOWN,
        created_at=as_utc(comment.created_at), status=Status(comment.status),
        provider=comment.provider, status_reason=comment.status_reason,
        edited_at=as_utc(comment.edited_at) if comment.edited_at else None,
        first_source=first[0], first_key=first[1],
    )  # fmt: skip


def test_a_backup_restores_into_a_new_site_and_twice_adds_nothing(
    sample: Sample, make_site, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "backup.json"
    path.write_bytes(exported(sample.site)[1])
    new = make_site(name="Empty", origins=["https://elsewhere.example"])
    assert FORMATS["json"].sniff(path.read_bytes()[:4096])
    report = import_file(new, path, FORMATS["json"], Options())
    assert report.settings == "restored"
    assert sum(report.imported.values()) == len(sample.comments)
    assert (new.name, new.origin_list, new.theme) == (
        sample.site.name,
        sample.site.origin_list,
        "dark",
    )
    before = shape(sample.site)
    assert shape(new) == before

    again = import_file(new, path, FORMATS["json"], Options())
    assert again.already == len(sample.comments) and sum(again.imported.values()) == 0
    assert shape(new) == before


def shape(site: Site) -> list[tuple[Any, ...]]:
    """A site's comments as a reader sees them, ids aside: page, parent's body, body, HTML,
    status, reason, author, times."""
    rows = db.session.execute(
        select(Thread.url, Comment).join(Comment, Comment.thread_id == Thread.id)
        .where(Thread.site_id == site.id).order_by(Comment.created_at)
    ).all()  # fmt: skip
    bodies = {c.id: c.html for _, c in rows}
    return [
        (url, bodies.get(c.parent_id or 0), c.html, c.status, c.status_reason, c.author_name,
         c.provider, as_utc(c.created_at), c.edited_at and as_utc(c.edited_at))
        for url, c in rows
    ]  # fmt: skip


def test_the_export_of_a_site_without_threads_is_still_a_backup(make_site) -> None:  # type: ignore[no-untyped-def]
    site = make_site()
    counts, text = exported(site)
    assert counts == {"threads": 0, "comments": 0}
    assert json.loads(text)["threads"] == []


def restore(site: Site, source: Site, tmp_path: Path, ids_from: int | None = None) -> Any:
    """Restore `source`'s backup into `site`; `ids_from` renumbers the backup's threads and
    comments from there, as another server's database would have numbered them."""
    document = json.loads(exported(source)[1])
    if ids_from is not None:
        numbers = iter(range(ids_from, ids_from + 10_000))
        for thread in document["threads"]:
            thread["id"] = next(numbers)
            new_ids = {c["id"]: next(numbers) for c in thread["comments"]}
            for c in thread["comments"]:
                c["id"], c["parent_id"] = new_ids[c["id"]], new_ids.get(c["parent_id"])
    path = tmp_path / f"{source.key}.json"
    path.write_text(json.dumps(document))
    return import_file(site, path, FORMATS["json"], Options())


def test_backups_of_two_sites_restored_into_one_keep_every_comment(
    make_site, make_comment, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    first, second = make_site(name="First"), make_site(name="Second")
    make_comment(first, body="On the first")
    make_comment(second, body="On the second")
    both = make_site(name="Both")
    # Two servers' backups: each numbers its threads and comments from 1.
    restore(both, first, tmp_path, ids_from=1)
    restore(both, second, tmp_path, ids_from=1)
    assert sorted(c[2] for c in shape(both)) == [
        "<p>On the first</p>",
        "<p>On the second</p>",
    ]


def test_a_backup_restored_into_its_own_site_adds_nothing(sample: Sample, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = shape(sample.site)
    report = restore(sample.site, sample.site, tmp_path)
    assert sum(report.imported.values()) == 0
    assert shape(sample.site) == before
