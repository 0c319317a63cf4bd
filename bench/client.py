"""One HTTP request, as the benchmark's own probe: the answer whatever its status."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

GZIP_LEVEL = 6  # what nginx and most proxies would use, and what the app uses


@dataclass(frozen=True)
class Request:
    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    wire: bytes  # the body as sent, compressed or not

    @property
    def gzipped(self) -> bool:
        return self.headers.get("content-encoding") == "gzip"

    @property
    def body(self) -> bytes:
        return gzip.decompress(self.wire) if self.gzipped else self.wire

    @property
    def gzip_size(self) -> int:
        """Bytes on the wire if the server compressed, else the body gzipped here."""
        return len(self.wire) if self.gzipped else len(gzip.compress(self.wire, GZIP_LEVEL))

    def json(self) -> Any:
        return json.loads(self.body)


def send(request: Request, timeout: float = 60) -> Answer:
    data = request.body.encode() if request.body is not None else None
    raw = urllib.request.Request(
        request.url, data=data, method=request.method, headers=request.headers
    )
    try:
        with urllib.request.urlopen(raw, timeout=timeout) as response:
            return _answer(response.status, response.headers.items(), response.read())
    except urllib.error.HTTPError as error:
        return _answer(error.code, error.headers.items(), error.read())


def _answer(status: int, headers: list[tuple[str, str]], wire: bytes) -> Answer:
    return Answer(status, {name.lower(): value for name, value in headers}, wire)
