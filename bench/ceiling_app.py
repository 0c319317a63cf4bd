"""The ceiling for this stack: Flask under gunicorn returning fixed bytes, with no work at all.

Served by bench/run.py as `gunicorn ceiling_app:app`. BENCH_BODY_FILE is the page ours served
(uncompressed) and BENCH_GZIP_FILE the same page as ours sent it gzipped, so both send the same
bytes: `/` the plain page, `/gz` the gzipped one (Content-Encoding: gzip). Either answers 304 to
If-None-Match with its ETag, as cheaply as Flask can.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request


def _read(variable: str) -> bytes:
    return Path(os.environ[variable]).read_bytes() if variable in os.environ else b""


PLAIN = _read("BENCH_BODY_FILE")
GZIPPED = _read("BENCH_GZIP_FILE")
ETAG = '"ceiling"'

app = Flask(__name__)


def fixed(body: bytes, headers: dict[str, str]) -> Response:
    if request.headers.get("If-None-Match") == ETAG:
        return Response(status=304, headers={"ETag": ETAG})
    return Response(body, mimetype="text/html", headers={"ETag": ETAG, **headers})


@app.get("/")
def plain() -> Response:
    return fixed(PLAIN, {})


@app.get("/gz")
def gzipped() -> Response:
    return fixed(GZIPPED, {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
