"""The one step that writes an import: a file's records, staged (staging.py), go onto the
site's pages (pages.py) a few threads per transaction, never a thread split across two, so an
import stopped half-way leaves whole threads or none. Each comment remembers its source and
the source's id (CommentSource): running the same import again adds nothing and changes
nothing. A dry run goes the same way and rolls every transaction back.

Imported comments are not announced (comments/events.py): nobody is emailed about a comment
written years ago. Their bodies are made safe as new comments are (text.py), whatever markup
the source kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..comments.blocks import ip_digest
from ..comments.moderation import recount
from ..comments.services import thread_for
from ..comments.verdicts import Reason
from ..errors import Rejected
from ..extensions import db
from ..models import Comment, CommentSource, Site, Status, Thread, as_utc
from ..sites import site_settings, update_site
from ..text import clean_html, render_markdown, text_of, wordpress_paragraphs
from ..transactions import take_write_lock
from .formats import Format
from .pages import Mapping, Pages, Unplaced
from .records import Kind, Markup, SourceComment, SourceThread
from .report import Report
from .staging import DUPLICATE, Stage

COMMENTS_PER_TRANSACTION = 2000
KEYS_PER_QUERY = 500  # well under SQLite's and PostgreSQL's limits on bound parameters
NATIVE = "widget"  # the source name of comments written on this service (formats.py)
PINGS = "pingback or trackback (--pings imports them as comments)"

Progress = Callable[[str, int, int | None], None]  # (phase, done, total or None)


@dataclass
class Options:
    mappings: list[Mapping] = field(default_factory=list)
    dry_run: bool = False
    pings: bool = False  # import pingbacks and trackbacks as comments


def import_file(
    site: Site, path: Path, fmt: Format, options: Options, progress: Progress | None = None
) -> Report:
    """Reads the whole file first (a ParseError writes nothing), then stores it."""
    report = Report(fmt.name, dry_run=options.dry_run)
    with Stage() as stage:
        read = (lambda n: progress("read", n, None)) if progress else None
        stage.fill(fmt.reader()(path), read)
        for key, why in stage.skipped():
            report.skip(why, key)
        # What the reader skipped was in the file too (a duplicate was counted once already).
        report.comments_in_file = stage.comments + sum(
            n for why, n in report.skipped.items() if why != DUPLICATE
        )
        for key, thread in stage.homeless():
            report.skip("on a thread not in the file", f"{key} (thread {thread})")
        settings = stage.settings()
        if settings is not None:
            _restore_settings(site, settings, report)
        _store(site, stage, fmt.source, options, report, progress)
    return report


def _store(
    site: Site, stage: Stage, source: str, options: Options, report: Report,
    progress: Progress | None,
) -> None:  # fmt: skip
    pages = Pages(site.origin_list, options.mappings)
    batch: list[tuple[SourceThread, str]] = []
    size = done = 0
    for thread in stage.threads():
        count = stage.count_of(thread.key)
        if not count:
            continue
        where = pages.resolve(thread.url)
        if isinstance(where, Unplaced):
            report.skip(where.why, thread.key, count)
            continue
        batch.append((thread, where))
        size += count
        if size >= COMMENTS_PER_TRANSACTION:
            _store_batch(site.id, stage, source, batch, options, report)
            done, batch, size = done + size, [], 0
            if progress is not None:
                progress("store", done, stage.comments)
    if batch:
        _store_batch(site.id, stage, source, batch, options, report)
    if progress is not None:
        progress("store", stage.comments, stage.comments)


def _store_batch(
    site_id: int, stage: Stage, source: str, batch: Iterable[tuple[SourceThread, str]],
    options: Options, report: Report,
) -> None:  # fmt: skip
    db.session.rollback()  # whatever was read before: the write lock is taken first
    take_write_lock()
    try:
        site = db.session.get(Site, site_id)
        assert site is not None
        for thread, url in batch:
            _store_thread(site, _thread_here(site, thread, url, report), source,
                          stage.comments_of(thread.key), options, report)  # fmt: skip
        if options.dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _thread_here(site: Site, thread: SourceThread, url: str, report: Report) -> Thread:
    """The page's thread, or its twin but for a trailing slash, or a new one."""
    twin = url[:-1] if url.endswith("/") else url + "/"
    for key in (url, twin):
        found = db.session.scalar(
            select(Thread).where(Thread.site_id == site.id, Thread.url_key == key)
        )
        if found is not None:
            if found.id not in report.created:
                report.threads_merged += 1
            return found
    report.threads_created += 1
    created = thread_for(site, url, thread.title.strip()[:300])
    report.created.add(created.id)
    return created


Name = tuple[str, str]  # (source, the source's id): how a comment is known wherever it goes
Known = dict[str, tuple[int, int, int]]  # by the file's key: (comment, its root, its thread)


def _store_thread(
    site: Site, thread: Thread, source: str, records: list[SourceComment], options: Options,
    report: Report,
) -> None:  # fmt: skip
    wanted: list[SourceComment] = []
    for record in records:
        if record.kind != Kind.COMMENT and not options.pings:
            report.skip(PINGS, record.key)
        else:
            wanted.append(record)
    names = {r.key: _name(r, source) for r in wanted}
    # A parent not in this thread's records may have come in an earlier run of the file.
    parents = {r.parent: names.get(r.parent, (source, r.parent)) for r in wanted if r.parent}
    found = _known(site, set(names.values()) | set(parents.values()),
                   {names[r.key]: r.created_at for r in wanted})  # fmt: skip
    known: Known = {key: found[name] for key, name in (parents | names).items() if name in found}
    new = [r for r in wanted if names[r.key] not in found]
    report.already += len(wanted) - len(new)
    waiting = {r.key for r in new}
    while new:
        ready, later = [], []
        for record in new:
            if record.parent is not None and record.parent in waiting:
                later.append(record)
            else:
                ready.append(record)
        if not ready:  # parents that answer each other: the file's mistake, broken here
            ready, later = later[:1], later[1:]
        placed = [_comment(thread, r, known, report) for r in ready]
        db.session.add_all(placed)
        db.session.flush()
        for record, comment in zip(ready, placed, strict=True):
            known[record.key] = (comment.id, comment.root_id or comment.id, thread.id)
            waiting.discard(record.key)
            report.imported[comment.status] += 1
        db.session.add_all(
            CommentSource(comment_id=c.id, site_id=site.id, source=names[r.key][0],
                          source_key=names[r.key][1])
            for r, c in zip(ready, placed, strict=True)
        )  # fmt: skip
        new = later
    recount(thread.id)


def _name(record: SourceComment, source: str) -> Name:
    """Where the comment was first written: a backup's comment keeps the name it had."""
    return (record.first_source or source, record.first_key or record.key)


def _known(
    site: Site, names: set[Name], created: dict[Name, datetime]
) -> dict[Name, tuple[int, int, int]]:
    """Those of `names` this site has already, in whatever thread: (comment, root, thread).
    A comment imported here is known by its CommentSource; one written on this very site (a
    backup restored into the site it came from) by its id, if it is still here as it was."""
    found: dict[Name, tuple[int, int, int]] = {}
    by_source: dict[str, list[str]] = {}
    for origin, key in names:
        by_source.setdefault(origin, []).append(key)
    for origin, keys in by_source.items():
        keys.sort()
        for start in range(0, len(keys), KEYS_PER_QUERY):
            rows = db.session.execute(
                select(CommentSource.source_key, Comment.id, Comment.root_id, Comment.thread_id)
                .join(Comment, Comment.id == CommentSource.comment_id)
                .where(
                    CommentSource.site_id == site.id,
                    CommentSource.source == origin,
                    CommentSource.source_key.in_(keys[start : start + KEYS_PER_QUERY]),
                )
            )
            for key, comment_id, root_id, thread_id in rows:
                found[(origin, key)] = (comment_id, root_id or comment_id, thread_id)
    found.update(_written_here(site, names - found.keys(), created))
    return found


def _written_here(
    site: Site, names: set[Name], created: dict[Name, datetime]
) -> dict[Name, tuple[int, int, int]]:
    """Of `names`, the comments written on this site itself, still here with their date."""
    found: dict[Name, tuple[int, int, int]] = {}
    own = {
        int(key.rpartition(":")[2]): (origin, key)
        for origin, key in names
        if origin == NATIVE and key.startswith(f"{site.key}:") and key.rpartition(":")[2].isdigit()
    }  # fmt: skip
    ids = sorted(own)
    for start in range(0, len(ids), KEYS_PER_QUERY):
        here = db.session.execute(
            select(Comment.id, Comment.root_id, Comment.thread_id, Comment.created_at)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Thread.site_id == site.id, Comment.id.in_(ids[start : start + KEYS_PER_QUERY]))
        )
        for comment_id, root_id, thread_id, created_at in here:
            name = own[comment_id]
            if name not in created or as_utc(created[name]) == as_utc(created_at):
                found[name] = (comment_id, root_id or comment_id, thread_id)
    return found


def _comment(thread: Thread, record: SourceComment, known: Known, report: Report) -> Comment:
    parent = known.get(record.parent) if record.parent is not None else None
    if parent is not None and parent[2] != thread.id:
        parent = None  # a reply on another page than what it answers: it stands alone here
    if record.parent is not None and parent is None:
        report.orphans += 1
    body, html = _body(record)
    status = record.status.value
    reason = record.status_reason
    if reason is None and record.status in (Status.PENDING, Status.SPAM):
        reason = Reason.IMPORTED.value
    return Comment(
        thread_id=thread.id,
        parent_id=parent[0] if parent else None,
        root_id=parent[1] if parent else None,
        provider=record.provider[:20],
        author_name=record.author_name.strip()[:100] or "Anonymous",
        author_email=_email(record.author_email),
        author_url=_website(record.author_url),
        body=body,
        html=html,
        status=status,
        status_reason=reason,
        ip_hash=ip_digest(_unmapped(record.ip)),
        created_at=record.created_at,
        edited_at=record.edited_at,
    )


def _body(record: SourceComment) -> tuple[str, str]:
    """(source, safe HTML): Markdown is kept as the source; HTML's source is its text."""
    if record.markup == Markup.MARKDOWN:
        return record.body, render_markdown(record.body)
    raw = wordpress_paragraphs(record.body) if record.markup == Markup.WORDPRESS else record.body
    html = clean_html(raw)
    return text_of(html), html


def _email(value: str) -> str:
    email = value.strip()
    return email if "@" in email and len(email) <= 254 and " " not in email else ""


def _website(value: str) -> str:
    url = value.strip()
    ok = url.lower().startswith(("http://", "https://")) and len(url) <= 2048
    return url if ok else ""


def _unmapped(ip: str) -> str:
    # WordPress keeps some IPv4 addresses in their IPv6 form (::ffff:82.119.20.0).
    ip = ip.strip()
    return ip[7:] if ip.lower().startswith("::ffff:") and "." in ip else ip


def _restore_settings(site: Site, values: dict[str, object], report: Report) -> None:
    """A backup's settings replace the site's, through the checks every change passes."""
    if report.dry_run:
        report.settings = "would be restored"
        return
    current = site_settings(site)
    given = {k: values[k] for k in current if k in values}
    try:
        update_site(site, **{**current, **given})
    except Rejected:
        db.session.rollback()
        raise
    report.settings = "restored"
