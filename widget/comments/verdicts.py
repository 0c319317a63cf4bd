"""Verdicts: the status a comment gets and why, as the short code kept with it
(`Comment.status_reason`) and the sentence the dashboard shows for that code.

A code is what a rule (comments/rules.py, the widget form's checks in comments/spam.py) or an
owner decided; a comment published because nothing held it, or stored before reasons were kept,
has none, and nothing is shown for it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..models import Comment, Status
from ..spam_filter.scoring import LEANS_TO_SPAM

# Not a status: what a rule gives a comment that must not be stored at all.
REFUSED = "refused"


class Reason(enum.StrEnum):
    BLOCKED = "blocked"  # the owner blocked the writer (refuse their comments)
    BLOCKED_HOLD = "blocked_hold"  # ... with "hold their comments"
    HELD_WORD = "held_word"
    ALL_HELD = "all_held"  # the site's mode: every comment waits
    LINKS = "links"  # the site's mode: more links than its limit
    FIRST_TIME = "first_time"  # the site's mode: nothing of theirs approved yet
    HONEYPOT = "honeypot"
    NO_TOKEN = "no_token"  # no form token, or not one of ours
    TOO_QUICK = "too_quick"
    STALE_TOKEN = "stale_token"  # the form was open longer than a token lives
    REPLAYED_TOKEN = "replayed_token"
    AKISMET = "akismet"
    FILTER = "filter"  # the learned spam filter's score (spam_filter/)
    OWNER = "owner"  # a person decided, not a rule
    IMPORTED = "imported"  # the status it had in the system it was imported from


@dataclass(frozen=True)
class Verdict:
    status: str  # a Status value, or REFUSED
    reason: str | None = None  # a Reason; None where no rule had anything to say


PUBLISH = Verdict(Status.PUBLISHED.value)

# How a status reads at the head of a reason: "Held: ...".
_HEADS: dict[str, str] = {
    Status.PUBLISHED.value: "Published",
    Status.PENDING.value: "Held",
    Status.SPAM.value: "Spam",
    Status.DELETED.value: "Deleted",
}
_SAID: dict[str, str] = {
    Reason.BLOCKED: "its writer is blocked",
    Reason.BLOCKED_HOLD: "its writer is blocked, with their comments held",
    Reason.HELD_WORD: "it has a word the site holds",
    Reason.ALL_HELD: "the site holds every comment",
    Reason.LINKS: "more links than the site allows",
    Reason.FIRST_TIME: "first comment from this {writer}",
    Reason.HONEYPOT: "honeypot filled",
    Reason.NO_TOKEN: "sent without a valid form token",
    Reason.TOO_QUICK: "posted seconds after the form was shown",
    Reason.STALE_TOKEN: "the form was open for more than a day",
    Reason.REPLAYED_TOKEN: "its form token was used before",
    Reason.AKISMET: "Akismet calls it spam",
    Reason.IMPORTED: "so it was where it was imported from",
}
# The filter's reason reads by the status it gave.
_FILTER_SAID = {
    Status.PENDING.value: "the spam filter is unsure",
    Status.SPAM.value: "the spam filter calls it spam",
}
_BY_OWNER: dict[str, str] = {
    Status.PUBLISHED.value: "approved by the owner",
    Status.PENDING.value: "held by the owner",
    Status.SPAM.value: "marked spam by the owner",
    Status.DELETED.value: "deleted by the owner",
}


def describe(comment: Comment) -> str:
    """Why the comment has its status, for its owner ("Held: first comment from this email"),
    or "" where no reason was kept. A code no rule gives any more is shown as it is."""
    code = comment.status_reason
    if not code:
        return ""
    if code == Reason.OWNER:
        said = _BY_OWNER.get(comment.status, "by the owner")
    elif code == Reason.FILTER:
        said = _FILTER_SAID.get(comment.status, "the spam filter")
    else:
        writer = "account" if comment.user_id is not None else "email"
        said = _SAID.get(code, code).format(writer=writer)
    filtered = spam_filter_said(comment, always=code == Reason.FILTER)
    return f"{_HEADS.get(comment.status, comment.status)}: {said}{filtered}"


def spam_filter_said(comment: Comment, always: bool = False) -> str:
    """The filter's score when the comment was posted and what weighed most, as a tail for
    the reason (" (spam score 0.97: links to 3 domains seen in spam)"): for the filter's own
    verdicts, and for another rule's where the filter too leant to spam; else ""."""
    check = comment.spam_check or {}
    score, why = check.get("score"), check.get("why")
    if not isinstance(score, int | float) or not (always or score >= LEANS_TO_SPAM):
        return ""
    reasons = [w for w in why if isinstance(w, str)] if isinstance(why, list) else []
    return f" (spam score {score:.2f}{': ' + '; '.join(reasons) if reasons else ''})"
