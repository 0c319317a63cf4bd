"""A picture is fetched once the sign-in that asked for it has committed: not when a savepoint
inside it is released (the row may yet be rolled back, and the fetcher's own session could not
see it), and not forgotten when a savepoint inside it rolls back."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError

from widget.auth import avatars
from widget.extensions import db
from widget.models import Site, User

PICTURE = "https://pictures.example.com/me.png"


@pytest.fixture
def handed_off(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    # The pool's threads would fetch from the internet; what matters here is when they are asked.
    asked: list[int] = []
    monkeypatch.setattr(avatars.background, "submit", lambda _app, user_id: asked.append(user_id))
    return asked


def test_a_released_savepoint_hands_off_nothing_before_the_commit(
    app: Flask, handed_off: list[int]
) -> None:
    user = User(name="Ann")
    db.session.add(user)
    avatars.want(user, PICTURE)
    with db.session.begin_nested():
        db.session.add(Site(key="s1", name="Blog"))
    assert handed_off == []
    db.session.commit()
    assert handed_off == [user.id]


def test_a_rolled_back_savepoint_does_not_forget_the_picture(
    app: Flask, handed_off: list[int]
) -> None:
    db.session.add(Site(key="taken", name="Blog"))
    user = User(name="Ann")
    db.session.add(user)
    avatars.want(user, PICTURE)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Site(key="taken", name="Twin"))
    db.session.commit()
    assert handed_off == [user.id]


def test_a_rolled_back_sign_in_hands_off_nothing(app: Flask, handed_off: list[int]) -> None:
    user = User(name="Ann")
    db.session.add(user)
    avatars.want(user, PICTURE)
    db.session.rollback()
    db.session.commit()
    assert handed_off == []
