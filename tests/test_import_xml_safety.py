"""The XML both import readers go through: hostile files (tests/data/import/) are refused with
a ParseError before anything is expanded or fetched, broken ones say where, and memory stays
flat however long the file."""

from __future__ import annotations

import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.support.generated_exports import write_wxr
from tests.support.import_records import DATA, comments, read_until_error
from widget.importers import disqus, wxr, xml_safety
from widget.importers.records import ParseError, SourceComment

READERS = [pytest.param(wxr.read, id="wxr"), pytest.param(disqus.read, id="disqus")]


@pytest.mark.parametrize("read", READERS)
def test_billion_laughs_is_refused_at_its_first_entity_having_expanded_nothing(read):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        got, error = read_until_error(read(DATA / "billion-laughs.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1
    assert peak < 1_000_000  # a gigabyte of "lol" had it been expanded
    assert got == []
    assert error is not None
    assert error.message.startswith("the file declares an entity (<!ENTITY lol>)")
    assert error.line == 5 and error.column is not None  # the first declaration


@pytest.mark.parametrize("read", READERS)
def test_an_external_entity_on_a_local_file_is_never_read(read, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the-secret-itself")
    hostile = tmp_path / "xxe.xml"
    hostile.write_text(
        (DATA / "xxe-file.xml").read_text().replace("file:///etc/passwd", secret.as_uri())
    )
    for path in (hostile, DATA / "xxe-file.xml"):
        got, error = read_until_error(read(path))
        assert got == []
        assert error is not None and "<!ENTITY xxe>" in error.message
        assert "the-secret-itself" not in str(error) and "root:" not in str(error)


class _Listener(BaseHTTPRequestHandler):
    asked: list[str] = []  # noqa: RUF012 (the class is made anew for each test)

    def do_GET(self) -> None:
        self.asked.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "fetched">')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local web server that notes every request; its base URL and the paths asked for."""
    handler = type("Listener", (_Listener,), {"asked": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_nothing_on_the_network_is_ever_asked_for(listener, tmp_path):
    base, asked = listener
    wxr_text = (DATA / "xxe-http.xml").read_text()
    general = tmp_path / "general.xml"  # an external general entity, used in a body
    general.write_text(wxr_text.replace("http://xxe.example.invalid", base))
    parameter = tmp_path / "parameter.xml"  # a parameter entity, pulling in a remote DTD
    parameter.write_text(
        wxr_text.replace(
            '<!ENTITY remote SYSTEM "http://xxe.example.invalid/secret.txt">',
            f'<!ENTITY % remote SYSTEM "{base}/evil.dtd"> %remote;',
        ).replace("&remote;", "text")
    )
    for path in (general, parameter, DATA / "xxe-http.xml"):
        got, error = read_until_error(wxr.read(path))
        assert got == [] and error is not None
        assert "<!ENTITY" in error.message and error.line is not None
    # An external DTD alone is not read either: the file is read without it.
    external_dtd = tmp_path / "external-dtd.xml"
    body = wxr_text.split("]>", 1)[1].replace("&remote;", "text")
    external_dtd.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{base}/evil.dtd">{body}')
    assert [c.body for c in comments(wxr.read(external_dtd))] == ["text"]
    assert asked == []


def test_a_truncated_file_fails_where_it_ends_after_the_records_before_it():
    got, error = read_until_error(wxr.read(DATA / "truncated.xml"))
    assert error is not None
    assert (error.line, error.column) == (19, 73)  # the last byte of the file
    assert "not well-formed XML" in error.message
    # A reader is a generator: what was whole came first, the half comment never; the
    # store step stages everything before it writes, so the error means nothing is kept.
    assert [c.key for c in comments(got)] == ["1:1"]


@pytest.mark.parametrize("read", READERS)
def test_a_file_that_is_not_xml_is_a_parse_error_at_its_first_byte(read):
    with pytest.raises(ParseError) as raised:
        list(read(DATA / "not-xml.xml"))
    assert (raised.value.line, raised.value.column) == (1, 0)
    assert str(raised.value) == "line 1, column 0: the file is not well-formed XML: invalid token"


@pytest.mark.parametrize("read", READERS)
def test_an_empty_or_missing_file(read, tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="no element found"):
        list(read(empty))
    with pytest.raises(ParseError, match=r"^cannot read the file: No such file or directory$"):
        list(read(tmp_path / "missing.xml"))


def test_an_undeclared_entity_is_an_error_not_a_guess(tmp_path):
    odd = tmp_path / "odd.xml"
    odd.write_text("<disqus>\n  <post>&nbsp;</post>\n</disqus>")
    with pytest.raises(ParseError, match="undefined entity") as raised:
        list(disqus.read(odd))
    assert (raised.value.line, raised.value.column) == (2, 8)


def test_stream_tells_records_whole_and_lets_go_of_them(tmp_path):
    path = tmp_path / "small.xml"
    path.write_text(
        "<root><group><record><a>1</a><b>x<i>y</i>z</b></record>"
        "<record><a>2</a></record></group></root>"
    )
    events = []
    root = None
    for event, element, depth in xml_safety.stream(path, depth=2):
        if depth == 0:
            root = element
        fields = {c.tag: xml_safety.text(c) for c in element} if depth == 2 else {}
        events.append((event, element.tag, depth, fields))
    assert events == [
        ("start", "root", 0, {}),
        ("start", "group", 1, {}),
        ("end", "record", 2, {"a": "1", "b": "xyz"}),
        ("end", "record", 2, {"a": "2"}),
        ("end", "group", 1, {}),
        ("end", "root", 0, {}),
    ]
    assert root is not None and len(root) == 0  # every record was taken out once read


def test_memory_stays_flat_however_long_the_file(tmp_path):
    path = tmp_path / "big.xml"
    count = write_wxr(path, posts=200, per_post=100, origin="https://blog.example")
    size = path.stat().st_size
    assert count == 20_000 and size > 15_000_000
    tracemalloc.start()
    try:
        read = sum(1 for r in wxr.read(path) if isinstance(r, SourceComment))  # none kept
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == count
    assert peak < 2_000_000  # the file is 8 times that; a tree of it, some 30 times


def test_sniffing_a_hostile_file_reads_no_further_than_its_head():
    head = (DATA / "billion-laughs.xml").read_bytes()[:4096]
    assert wxr.sniff(head) and not disqus.sniff(head)  # the reader then refuses it
    assert disqus.sniff((DATA / "xxe-file.xml").read_bytes()[:4096])
