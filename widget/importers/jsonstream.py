"""A JSON document whose top level is an object, read member by member, and a member that is
an array item by item, so that a large file is never in memory whole: only the value being
read is (for a backup, one thread with its comments). The standard library's decoder does
the parsing (`raw_decode` on a window of the file); errors come with the line and column in
the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NoReturn, TextIO

from .records import ParseError

CHUNK = 1 << 16
# How near the window's end the decoder's complaint must be for the value to be merely cut
# short there (`tru` of `true`, `1e` of `1e5`, half a `\\u` escape) rather than wrong.
_NEAR_END = 16
_WHITESPACE = " \t\n\r"


class Document:
    """The JSON text of `file`, read forward a window at a time."""

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self._decoder = json.JSONDecoder()
        self._text = ""
        self._at = 0  # where reading is, in _text
        self._line, self._column = 1, 1  # where _text[0] is in the file
        self._ended = False
        self.began = (1, 1)  # the line and column where the last value read began
        self._counted = (0, 0, -1)  # a position in _text, the newlines before it, the last one

    def members(self) -> Iterator[str]:
        """The top-level object's names, in the file's order; after each, the caller reads
        its value with `value()` or `items()`."""
        self._expect("{", "the file is not a JSON object")
        if self._peek() == "}":
            self._at += 1
        else:
            while True:
                name = self.value()
                if not isinstance(name, str):
                    self.fail("expected a member's name in double quotes")
                self._expect(":", "expected ':' after a member's name")
                yield name
                if self._peek() != ",":
                    break
                self._at += 1
            self._expect("}", "expected ',' or '}' after a member")
        if self._peek() != "":
            self.fail("text after the end of the JSON object")

    def items(self) -> Iterator[Any]:
        """The items of the array that comes next, one at a time."""
        self._expect("[", "expected an array")
        if self._peek() == "]":
            self._at += 1
            return
        while True:
            yield self.value()
            if self._peek() != ",":
                break
            self._at += 1
        self._expect("]", "expected ',' or ']' after an array's item")

    def value(self) -> Any:
        """The JSON value that comes next, whole."""
        self.began = self.where()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._text, self._at)
            except json.JSONDecodeError as exc:
                if self._cut_short(exc) and self._read(len(self._text) - self._at):
                    continue  # the value goes on past the window: widen it and try again
                raise ParseError(exc.msg, *self._where(exc.pos)) from None
            # A number at the window's edge may go on in the file (`1` of `10`).
            if end < len(self._text) or not self._read(CHUNK):
                self._at = end
                return value

    def where(self) -> tuple[int, int]:
        """The line and column of what comes next."""
        self._peek()
        return self._where(self._at)

    def fail(self, message: str) -> NoReturn:
        raise ParseError(message, *self.where())

    def _cut_short(self, exc: json.JSONDecodeError) -> bool:
        # An unterminated string runs to the window's end, whatever position it names.
        near = exc.pos >= len(self._text) - _NEAR_END
        return near or exc.msg.startswith("Unterminated string")

    def _expect(self, char: str, message: str) -> None:
        if self._peek() != char:
            self.fail(message)
        self._at += 1

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self._at < len(self._text) and self._text[self._at] in _WHITESPACE:
                self._at += 1
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._read(CHUNK):
                return ""

    def _read(self, at_least: int) -> bool:
        """Drop what was read and add at least as much again as is pending (a value read in
        n tries costs about twice its length); False at the end of the file."""
        if self._ended:
            return False
        piece = self._file.read(max(CHUNK, at_least))
        if not piece:
            self._ended = True
            return False
        done = self._text[: self._at]
        newlines = done.count("\n")
        if newlines:
            self._line += newlines
            self._column = len(done) - done.rfind("\n")
        else:
            self._column += len(done)
        self._text = self._text[self._at :] + piece
        self._at = 0
        self._counted = (0, 0, -1)
        return True

    def _where(self, pos: int) -> tuple[int, int]:
        # Counted on from the last position asked for, which is most often before this one: a
        # window holding many threads is not counted through again for each.
        start, newlines, last = self._counted if self._counted[0] <= pos else (0, 0, -1)
        found = self._text.count("\n", start, pos)
        if found:
            newlines, last = newlines + found, self._text.rfind("\n", start, pos)
        self._counted = (pos, newlines, last)
        if last < 0:
            return self._line, self._column + pos
        return self._line + newlines, pos - last
