"""The filter learns from the site's owner: every Approve, Spam and Not-spam, in the dashboard
or on the command line (both go through comments/moderation.py), is an example for that site
alone, taken from the signal sent once the decision is committed (comments/events.py).

What a comment taught is kept (SpamLesson): an owner who changes their mind (spam, then not
spam) replaces the lesson, so the site's counts hold each comment once, with its last label.
The filter's own verdicts teach nothing: only a person's decisions do.
"""

from __future__ import annotations

from flask import Flask

from ..comments.events import StatusChanged, comment_status_changed
from ..comments.verdicts import Reason
from ..extensions import db
from ..models import Comment, SpamLesson, Status
from ..transactions import begin_writing, take_write_lock
from . import storage
from .features import Behaviour, Sample, features
from .model import buckets

_FLAGS = ("first_comment", "repeated", "burst")


def label_of(event: StatusChanged) -> bool | None:
    """What an owner's action says of the comment: spam (True), not spam (False), or nothing
    (a deletion, a restore of a deleted comment: not a judgement of spam)."""
    if event.new_status == Status.SPAM.value:
        return event.reason == Reason.OWNER
    if event.old_status == Status.SPAM.value and event.new_status in (
        Status.PUBLISHED.value,
        Status.PENDING.value,
    ):
        return False  # "not spam", or restored from the Spam list
    if (
        event.old_status == Status.PENDING.value
        and event.new_status == Status.PUBLISHED.value
        and event.reason == Reason.OWNER
    ):
        return False  # approved
    return None


def sample_of(comment: Comment, behaviour: Behaviour) -> Sample:
    return Sample(
        body=comment.body,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        behaviour=behaviour,
    )


def _behaviour_when_posted(comment: Comment) -> Behaviour:
    check = comment.spam_check or {}
    flags = check.get("behaviour")
    on = {f for f in flags if isinstance(f, str)} if isinstance(flags, list) else set()
    return Behaviour(**{name: name in on for name in _FLAGS})


def teach(comment: Comment, site_id: int, is_spam: bool) -> bool:
    """Make the comment an example of spam or not for its site, replacing what it taught
    before; False if it already taught that. The caller commits."""
    lesson = db.session.get(SpamLesson, comment.id)
    if lesson is not None and lesson.is_spam == is_spam:
        return False
    if lesson is None:
        behaviour = _behaviour_when_posted(comment)
        lesson = SpamLesson(
            comment_id=comment.id,
            site_id=site_id,
            is_spam=is_spam,
            behaviour=" ".join(f for f in _FLAGS if getattr(behaviour, f)),
        )
        db.session.add(lesson)
        keys = buckets(features(sample_of(comment, behaviour))).keys()
    else:
        flags = set(lesson.behaviour.split())
        behaviour = Behaviour(**{name: name in flags for name in _FLAGS})
        keys = buckets(features(sample_of(comment, behaviour))).keys()
        storage.learn(site_id, keys, lesson.is_spam, times=-1)
        lesson.is_spam = is_spam
    storage.learn(site_id, keys, is_spam)
    return True


@comment_status_changed.connect
def learn_from_owner(_app: Flask, event: StatusChanged) -> None:
    """The receiver: one owner's decision, one example, committed on its own."""
    is_spam = label_of(event)
    if is_spam is None:
        return
    if db.session().in_transaction():
        begin_writing()  # (another receiver read first: in a request, the lock from here on)
    else:
        take_write_lock()
    comment = db.session.get(Comment, event.comment_id)
    if comment is None or comment.owner_id is not None:
        db.session.rollback()
        return
    if teach(comment, event.site_id, is_spam):
        db.session.commit()
    else:
        db.session.rollback()
