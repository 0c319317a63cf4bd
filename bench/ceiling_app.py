"""The ceiling for this stack: Flask under gunicorn returning a fixed body, with no work at all.

Served by bench/thread_view.py as `gunicorn ceiling_app:app`; BENCH_BODY_BYTES sets the body's
size (that of the 200-comment thread page), so both send the same number of bytes.
"""

from __future__ import annotations

import os

from flask import Flask, Response

BODY = b"x" * int(os.environ.get("BENCH_BODY_BYTES", "1024"))

app = Flask(__name__)


@app.get("/")
def fixed_body() -> Response:
    return Response(BODY, mimetype="text/html")
