"""A site for the export tests: two pages, comments of every status, replies three levels
deep, a signed-in author, and text that tries to break XML (CDATA's end, markup, ampersands,
non-ASCII, a control character)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.blog import BLOG, PAGE
from widget.extensions import db
from widget.models import Comment, Site, Status, Thread, User

OTHER_PAGE = f"{BLOG}/2026/12/second/"
START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
# What an imported comment may hold (its HTML is not ours to have rendered): "]]>" would end a
# CDATA section early.
TRICKY_HTML = '<p>Ends ]]> early? <a href="https://x.example/?a=1&amp;b=2">&amp;</a> Ünï 日本</p>'
TRICKY_BODY = "A <script>alert(1)</script> & Ünïcødé — 日本語 ]]> **bold**"
TRICKY_NAME = 'Zoë ]]> <b>&amp;</b> O\'Brien "Q"\x07'


@dataclass
class Sample:
    site: Site
    threads: list[Thread]
    # By role in the sample: "top", "reply", "deep", "pending", "spam", "deleted", ...
    comments: dict[str, Comment] = field(default_factory=dict)

    def by_status(self, status: Status) -> list[Comment]:
        return [c for c in self.comments.values() if c.status == status.value]

    @property
    def published(self) -> list[Comment]:
        return self.by_status(Status.PUBLISHED)


def build_sample(make_site: Callable[..., Site], make_comment: Callable[..., Any]) -> Sample:
    site = make_site(name="Blog & <Friends> ]]>")
    minutes = iter(range(1000))

    def add(role: str, url: str = PAGE, status: Status = Status.PUBLISHED, **fields: Any) -> None:
        parent = fields.pop("parent", None)
        if parent is not None:
            fields["parent_id"] = sample.comments[parent].id
        comment = make_comment(site, url=url, **fields).comment
        statuses[role] = status  # given at the end: only a published comment takes replies
        comment.created_at = START + timedelta(minutes=next(minutes), seconds=7)
        sample.comments[role] = comment
        db.session.commit()

    sample = Sample(site, [])
    statuses: dict[str, Status] = {}
    add("top", body=TRICKY_BODY, author_url="https://zoe.example/?a=1&b=2")
    add("reply", parent="top")
    add("deep", parent="reply")
    add("pending", status=Status.PENDING)
    add("spam", parent="top", status=Status.SPAM)
    add("deleted", status=Status.DELETED)
    add("under_deleted", parent="deleted")
    add("tricky", url=OTHER_PAGE, title="Second & <last> ]]>")
    add("signed_in", url=OTHER_PAGE, parent="tricky")
    add("reply_to_pending", parent="pending", status=Status.PENDING)

    for role, status in statuses.items():
        sample.comments[role].status = status.value
    tricky = sample.comments["tricky"]
    tricky.html, tricky.author_name = TRICKY_HTML, TRICKY_NAME
    user = User(name="Sam Signed")
    db.session.add(user)
    db.session.flush()
    sample.comments["signed_in"].user_id = user.id
    db.session.commit()
    sample.threads = list(
        db.session.scalars(db.select(Thread).where(Thread.site_id == site.id).order_by(Thread.id))
    )
    return sample


def clean_name(name: str) -> str:
    """A name as an export writes it: without the characters XML cannot carry."""
    return name.replace("\x07", "")
