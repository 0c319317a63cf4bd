"""The one way the importers read XML: streamed a chunk at a time, every element let go of as
soon as its reader is done with it, so that memory does not grow with the file; no entity a
file declares is expanded (billion laughs) and nothing outside the file is read (XXE); a file
that is not well-formed is a ParseError with its line and column.

An export is a long list of small records (a WXR item's comments, a Disqus post) a fixed
number of levels below the root, so the reader names that level: elements above it are told
as they open and close, each element at it arrives whole when it closes, and none below it is
told at all (it is part of its record). Whatever has been told closed is taken out of the tree
once the reader asks for the next event: keep its values, not the element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element, TreeBuilder
from xml.etree.ElementTree import ParseError as ExpatError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from .records import ParseError

CHUNK = 64 * 1024
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.DOTALL)

Event = tuple[Literal["start", "end"], Element, int]  # what, the element, its depth (root 0)


def stream(path: Path, depth: int) -> Iterator[Event]:
    """The file's events down to `depth`: ("start", element, d) for each element above it,
    ("end", element, d) for each element at or above it, whole when d == depth."""
    target = _Target(depth)
    parser = DefusedXMLParser(target=target, forbid_entities=True, forbid_external=True)
    try:
        file = path.open("rb")
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from None
    with file:
        while True:
            try:
                chunk = file.read(CHUNK)
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except ExpatError as exc:
                line, column = exc.position
                raise ParseError(_not_well_formed(exc), line, column) from None
            except DefusedXmlException as exc:
                raise ParseError(_refused(exc), *_where(parser)) from None
            except OSError as exc:
                raise ParseError(f"cannot read the file: {exc.strerror or exc}") from None
            yield from target.drain()
            if not chunk:
                return


def text(element: Element | None) -> str:
    """All the text in an element (CDATA or not), without the whitespace around it."""
    if element is None:
        return ""
    if not len(element):  # the usual field, of text alone: the quick way
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def local_name(tag: str) -> str:
    """A tag or attribute name without its namespace: "{http://disqus.com}post" → "post"."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def root_name(head: bytes) -> str | None:
    """The local name of the first element the bytes open (after the XML declaration,
    comments and a DOCTYPE), or None; stray bytes before it are passed over, so that a file
    that only looks broken is still told its real error by the reader."""
    found = _FIRST_TAG.search(_PROLOG.sub(b"", as_utf8(head)))
    return found.group(2).decode() if found else None


def as_utf8(head: bytes) -> bytes:
    """The first bytes of a file, a UTF-16 one (it starts with its byte order mark) re-encoded
    so that it can be sniffed as the rest are."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").encode()
    return head


class _Target:
    """Builds the tree (ElementTree's own builder) and notes the events the reader is told,
    with the parent each closed element is to be taken out of."""

    def __init__(self, depth: int) -> None:
        self._builder = TreeBuilder()
        # Handed to the parser as they are: text is most of what it reports, and needs nothing.
        self.data = self._builder.data
        self._depth = depth
        self._open: list[Element] = []  # the elements open above `depth`, root first
        self._level = 0  # the depth of the next element to open
        self._events: list[tuple[Literal["start", "end"], Element, int, Element | None]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> Element:
        element = self._builder.start(tag, attrib)
        if self._level < self._depth:
            parent = self._open[-1] if self._open else None
            self._events.append(("start", element, self._level, parent))
            self._open.append(element)
        self._level += 1
        return element

    def end(self, tag: str) -> Element:
        element = self._builder.end(tag)
        self._level -= 1
        if self._level <= self._depth:
            if self._level < self._depth:
                self._open.pop()
            parent = self._open[-1] if self._open else None
            self._events.append(("end", element, self._level, parent))
        return element

    def close(self) -> Element:
        return self._builder.close()

    def drain(self) -> Iterator[Event]:
        events, self._events = self._events, []
        for kind, element, level, parent in events:
            yield kind, element, level
            if kind == "end" and parent is not None:
                # Its earlier siblings are gone already, so this is the parent's first child.
                parent.remove(element)


def _not_well_formed(exc: ExpatError) -> str:
    reason = expat.ErrorString(exc.code) if isinstance(exc.code, int) else str(exc)
    if reason.startswith("not well-formed (") and reason.endswith(")"):
        reason = reason[len("not well-formed (") : -1]
    return f"the file is not well-formed XML: {reason}"


def _refused(exc: DefusedXmlException) -> str:
    if isinstance(exc, EntitiesForbidden):
        return (
            f"the file declares an entity (<!ENTITY {exc.name}>), which no export does: "
            "refused, so that nothing is expanded or fetched"
        )
    if isinstance(exc, ExternalReferenceForbidden):
        return f"the file refers to {exc.sysid!r} outside it: refused, nothing is fetched"
    return f"the file is refused: {exc}"


def _where(parser: DefusedXMLParser) -> tuple[int | None, int | None]:
    expat_parser = getattr(parser, "parser", None)  # pyexpat's, whose place is where it stopped
    if expat_parser is None:
        return None, None
    return expat_parser.CurrentLineNumber, expat_parser.CurrentColumnNumber
