"""A small streaming XML writer for the exports: each element goes out as it is written, so a
site of any size costs the memory of one thread's comments.

xml.sax.saxutils.XMLGenerator writes no CDATA, and both WordPress and Disqus exports carry their
HTML in CDATA sections; this writer escapes text itself and splits a CDATA section wherever
the text holds "]]>", so that no comment can end the section early.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from ..models import as_utc

# Characters XML 1.0 forbids whatever the escaping (C0 controls but tab, newline and carriage
# return; lone surrogates; U+FFFE and U+FFFF). An imported comment may carry one, and a single
# one makes the whole file unreadable, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def cdata(text: str) -> str:
    """`text` as CDATA sections: "]]>" is cut between "]]" and ">", each in its own section."""
    return "<![CDATA[" + clean(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def attributes(attrs: dict[str, str] | None) -> str:
    return "".join(f" {name}={quoteattr(clean(value))}" for name, value in (attrs or {}).items())


def utc(moment: datetime, layout: str) -> str:
    return as_utc(moment).strftime(layout)


class XmlWriter:
    """Writes UTF-8 XML to a binary stream, element by element, indented for people."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._depth = 0

    def raw(self, markup: str) -> None:
        self._out.write(markup.encode("utf-8"))

    def start(self, name: str, attrs: dict[str, str] | None = None) -> None:
        self.raw(f"{'  ' * self._depth}<{name}{attributes(attrs)}>\n")
        self._depth += 1

    def end(self, name: str) -> None:
        self._depth -= 1
        self.raw(f"{'  ' * self._depth}</{name}>\n")

    def element(self, name: str, text: str | int = "", attrs: dict[str, str] | None = None) -> None:
        """<name>text</name>, the text escaped; an empty element where there is no text."""
        value = clean(str(text))
        inner = escape(value) if value else ""
        self._line(name, attrs, inner)

    def cdata_element(self, name: str, text: str) -> None:
        """<name><![CDATA[text]]></name>: HTML as the format's own exports keep it."""
        self._line(name, None, cdata(text))

    def _line(self, name: str, attrs: dict[str, str] | None, inner: str) -> None:
        indent = "  " * self._depth
        if inner:
            self.raw(f"{indent}<{name}{attributes(attrs)}>{inner}</{name}>\n")
        else:
            self.raw(f"{indent}<{name}{attributes(attrs)}/>\n")
