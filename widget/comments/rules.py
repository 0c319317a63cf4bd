"""The moderation rules: whether a new comment is published, held, kept as spam or refused,
and why.

Each rule looks at a comment about to be stored (a `Candidate`) and returns a `Verdict` with its
reason, or None when it has nothing to say. `judge` asks them in the order of `RULES`; the
gravest verdict wins (refused, then spam, then pending), and of equally grave ones the first.
A refusal ends the asking (nothing will be stored); otherwise every rule is asked, so that the
widget form's checks, last, always see the post (its form token is spent even when the site
holds the comment) and may still call a held comment spam.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, select

from ..extensions import db
from ..models import Comment, Moderation, Site, Status, Thread
from ..spam_filter.scoring import Assessment, Outcome, outcome
from ..text import count_links
from . import spam
from .blocks import find_block
from .verdicts import PUBLISH, REFUSED, Reason, Verdict

PENDING = Status.PENDING.value
_GRAVITY = {Status.PUBLISHED.value: 0, PENDING: 1, Status.SPAM.value: 2, REFUSED: 3}


@dataclass(frozen=True)
class FormPost:
    """What the widget's form sent besides the comment, for its spam checks (comments/spam.py)."""

    submission: spam.Submission
    name: str
    website: str
    page_url: str


@dataclass(frozen=True)
class Candidate:
    """A comment as the rules see it, before it is stored (or, for "not spam", as stored)."""

    site: Site
    body: str
    html: str
    email: str
    user_id: int | None = None  # a signed-in writer's account, known by it rather than by email
    ip_hash: str = ""
    form: FormPost | None = None  # a guest's post from the widget's form
    # The learned spam filter's score of it (spam_filter/), where the site has the filter on.
    spam_check: Assessment | None = None


Rule = Callable[[Candidate], Verdict | None]


def blocked(candidate: Candidate) -> Verdict | None:
    """The owner blocked this writer (by email, account or IP): refused, or held."""
    block = find_block(
        candidate.site, email=candidate.email, user_id=candidate.user_id, ip_hash=candidate.ip_hash
    )
    if block is None:
        return None
    if block.action == "refuse":
        return Verdict(REFUSED, Reason.BLOCKED)
    return Verdict(PENDING, Reason.BLOCKED_HOLD)


def held_word(candidate: Candidate) -> Verdict | None:
    words = [w for w in (candidate.site.held_words or []) if w.strip()]
    if not words:
        return None
    # Whole words (or phrases), any case: "ass" holds "ASS" but not "class".
    pattern = "|".join(rf"(?<!\w){re.escape(w.strip())}(?!\w)" for w in words)
    if re.search(pattern, candidate.body, re.IGNORECASE) is None:
        return None
    return Verdict(PENDING, Reason.HELD_WORD)


def all_held(candidate: Candidate) -> Verdict | None:
    if candidate.site.moderation != Moderation.ALL.value:
        return None
    return Verdict(PENDING, Reason.ALL_HELD)


def too_many_links(candidate: Candidate) -> Verdict | None:
    site = candidate.site
    if site.moderation != Moderation.LINKS.value or count_links(candidate.html) <= site.link_limit:
        return None
    return Verdict(PENDING, Reason.LINKS)


def first_time(candidate: Candidate) -> Verdict | None:
    """Held until one comment of theirs on this site was approved: a signed-in reader is known
    by their account, a guest only by the email they typed."""
    if candidate.site.moderation != Moderation.FIRST_TIME.value:
        return None
    author = (
        Comment.user_id == candidate.user_id
        if candidate.user_id is not None
        else Comment.author_email == candidate.email
    )
    approved = exists().where(
        and_(
            author,
            Comment.status == Status.PUBLISHED.value,
            Comment.thread_id == Thread.id,
            Thread.site_id == candidate.site.id,
        )
    )
    if db.session.scalar(select(approved)):
        return None
    return Verdict(PENDING, Reason.FIRST_TIME)


def form_checks(candidate: Candidate) -> Verdict | None:
    """The widget form's spam checks: honeypot, time since the form was shown, the form token
    used once, Akismet (comments/spam.py)."""
    form = candidate.form
    if form is None:
        return None
    return spam.verdict(candidate.site, form.submission, name=form.name, email=candidate.email,
                        website=form.website, body=candidate.body,
                        page_url=form.page_url)  # fmt: skip


def learned_filter(candidate: Candidate) -> Verdict | None:
    """The learned spam filter's score against the site's thresholds: spam, held (unsure), or
    nothing to say. Signed-in writers are held at most (spam_filter/scoring.py)."""
    check = candidate.spam_check
    if check is None:
        return None
    found = outcome(candidate.site, check.score, signed_in=candidate.user_id is not None)
    if found == Outcome.SPAM:
        return Verdict(Status.SPAM.value, Reason.FILTER)
    if found == Outcome.UNSURE:
        return Verdict(PENDING, Reason.FILTER)
    return None


# The filter last: of equally grave verdicts the first is kept, and a rule the owner set (held
# words, the moderation mode) says more about why than a score does.
RULES: tuple[Rule, ...] = (
    blocked, held_word, all_held, too_many_links, first_time, form_checks, learned_filter,
)  # fmt: skip


def judge(candidate: Candidate, rules: Sequence[Rule] = RULES) -> Verdict:
    """The gravest of the rules' verdicts on the comment, the first of equals; published (with
    no reason) when none has anything to say."""
    found = PUBLISH
    for rule in rules:
        verdict = rule(candidate)
        if verdict is not None and _GRAVITY[verdict.status] > _GRAVITY[found.status]:
            found = verdict
            if found.status == REFUSED:
                break
    return found


def verdict_by_site_rules(comment: Comment) -> Verdict:
    """What the site's rules (blocks, held words, moderation mode) give a stored comment now,
    as they would have when it was posted: published or pending. For an owner's "not spam"."""
    if comment.owner_id is not None:
        return PUBLISH  # the owner's own reply
    found = judge(
        Candidate(
            site=comment.thread.site,
            body=comment.body,
            html=comment.html,
            email=comment.author_email,
            user_id=comment.user_id,
            ip_hash=comment.ip_hash,
        )
    )
    # A block that refuses new comments holds one already written.
    return Verdict(PENDING, found.reason) if found.status == REFUSED else found
