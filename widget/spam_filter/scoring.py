"""Scoring a comment for a site: the base model plus the site's own counts, the verdict the
site's thresholds give the score, and the few words that say why.

The same function scores a comment being posted (comments/rules.py) and a line given to
`widget spam classify`, so an owner sees what the filter would do to their own comments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, Site, Thread, as_utc, utcnow
from .base import shipped
from .features import Behaviour, Sample, features
from .model import buckets, evidence
from .storage import site_counts

LEANS_TO_SPAM = 0.5  # a score from which the dashboard shows it beside another rule's reason
BURST = 3  # comments of one author on a site within BURST_MINUTES: posting at a bot's pace
BURST_MINUTES = 10
_RECENT = 20  # of the author's comments looked at


class Outcome(enum.StrEnum):
    SPAM = "spam"  # kept in the Spam list
    UNSURE = "unsure"  # held for the owner's approval
    HAM = "ham"  # published (if no other rule holds it)


@dataclass(frozen=True)
class Assessment:
    score: float  # 0..1, near the probability that it is spam
    why: tuple[str, ...]  # what weighed most towards spam, for the owner
    behaviour: Behaviour

    def as_record(self) -> dict[str, object]:
        """What a comment keeps of it (Comment.spam_check)."""
        flags = [name for name, on in vars(self.behaviour).items() if on]
        return {"score": round(self.score, 4), "why": list(self.why), "behaviour": flags}


def assess(site_id: int | None, sample: Sample, explain_from: float = 0.0) -> Assessment:
    """The comment's score by the base model and (for a site) the site's own decisions, said
    why when it scores `explain_from` or more (saying costs as much as scoring)."""
    named = buckets(features(sample))
    base = shipped()
    site = site_counts(site_id, named.keys()) if site_id is not None else None
    said = evidence(named, base.counts, base.calibration, site, explain=True)
    why = explain(said.contributions) if said.score >= explain_from else ()
    return Assessment(said.score, why, sample.behaviour)


def outcome(site: Site, score: float, signed_in: bool = False) -> Outcome:
    """What the site's thresholds make of a score. A signed-in reader is known to the site
    and answerable for what they write: at most held, never called spam by the filter."""
    if score >= site.spam_at:
        return Outcome.UNSURE if signed_in else Outcome.SPAM
    if score >= site.spam_hold_at and not signed_in:
        return Outcome.UNSURE
    return Outcome.HAM


def behaviour(site: Site, *, email: str, user_id: int | None, body: str) -> Behaviour:
    """What the author did on this site before: nothing (a first comment), the same text in
    another comment, several comments in the last minutes. One query, of their latest."""
    if user_id is not None:
        author = Comment.user_id == user_id
    elif email:
        author = Comment.author_email == email
    else:
        return Behaviour()
    recent = db.session.execute(
        select(Comment.body, Comment.created_at)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(author, Thread.site_id == site.id)
        .order_by(Comment.created_at.desc())
        .limit(_RECENT)
    ).all()
    since = utcnow() - timedelta(minutes=BURST_MINUTES)
    text = body.strip()
    return Behaviour(
        first_comment=not recent,
        repeated=any(row.body.strip() == text for row in recent),
        burst=sum(as_utc(row.created_at) >= since for row in recent) >= BURST - 1,
    )


_SAID = {
    "link:shortener": "a link shortener",
    "site:shortener": "a link shortener as the website",
    "site:linked_in_text": "links to the author's own website",
    "site:yes": "a website given",
    "shape:shouting": "written in capitals",
    "shape:email_in_text": "an email address in the text",
    "name:digits": "digits in the author's name",
    "name:url": "a web address as the author's name",
    "name:capitals": "the author's name in capitals",
    "do:first_comment": "first comment from this author",
    "do:repeated": "the same text as another comment of theirs",
    "do:burst": "several comments in a few minutes",
    "bang:3+": "many exclamation marks",
    "links:1": "a link",
    "links:2": "two links",
    "links:2+": "more than two links",
}
_BY_PREFIX = (
    ("site:dom:", "the author's website"),
    ("mail:host:", "the author's email provider"),
    ("mail:digits:", "digits in the author's email"),
)
_MAX_WORDS = 3
_MAX_SAID = 4


def explain(contributions: list[tuple[str, float]]) -> tuple[str, ...]:
    """The features that pushed most towards spam, said as an owner would: "links to 3
    domains seen in spam", 'words seen in spam: "subscribe", "check out"'."""
    toward = [name for name, say in contributions if say > 0.5]
    domains = [n for n in toward if n.startswith("dom:")]
    words = [n.partition(":")[2] for n in toward if n.startswith(("w:", "p:"))]
    said: list[str] = []
    if domains:
        count = len(domains)
        said.append(f"links to {count} domain{'s' if count > 1 else ''} seen in spam")
    if words:
        said.append("words seen in spam: " + ", ".join(f"“{w}”" for w in words[:_MAX_WORDS]))
    for name in toward:
        phrase = _SAID.get(name) or next((p for pre, p in _BY_PREFIX if name.startswith(pre)), "")
        if phrase and phrase not in said:
            said.append(phrase)
    return tuple(said[:_MAX_SAID])


def check_comment(
    site: Site, *, body: str, name: str, email: str, website: str, user_id: int | None
) -> Assessment | None:
    """The filter's look at a comment being posted to the site; None where the site has the
    filter off."""
    if not site.spam_filter:
        return None
    done = behaviour(site, email=email, user_id=user_id, body=body)
    # Said why where the dashboard shows it: a comment the filter holds, or leans against.
    explain_from = min(site.spam_hold_at, LEANS_TO_SPAM)
    return assess(site.id, Sample(body, name, email, website, done), explain_from)
