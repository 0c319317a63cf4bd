"""The rule for an owner's password, wherever one is chosen: long enough, and not one that a
guesser tries early. "Tries early" is zxcvbn's estimate: its lists of leaked passwords, common
words and names, keyboard walks, repeats, dates and l33t spellings, as crackers order guesses.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from .errors import Rejected

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
# zxcvbn's scale: 3 is "safely unguessable" online (about 10^8 guesses and more).
MIN_SCORE = 3
# zxcvbn's own bound (its work grows with the length); past it, a password is no common one.
_CHECKED_LENGTH = 72


def check_password(password: object, *, about: Iterable[str] = ()) -> str:
    """The password, if it may be an owner's; else Rejected naming what to change.

    `about` holds what a guesser knows of the owner (their email, their name).
    """
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise Rejected("password", f"Choose a password of at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX or "\x00" in password:
        raise Rejected("password", "That password is too long.")
    hints = [word for text in about for word in _words(text)]
    estimate = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=hints)
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"]["warning"] or "That password is easy to guess."
        raise Rejected(
            "password", f"{warning.rstrip('.')}: choose one that is harder to guess, "
            "such as a few unrelated words.", code="weak_password",
        )  # fmt: skip
    return password


def _words(text: str) -> list[str]:
    """ "ann.lee@example.com" → the address and its parts, which a guesser would try."""
    parts = [text, *text.replace("@", " ").replace(".", " ").split()]
    return [p for p in parts if len(p) >= 3]
