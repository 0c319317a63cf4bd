"""The e2e tests' blog: static articles on 127.0.0.2, another site than the service, each
carrying the site's snippet; plus the probe pages of the third-party storage test and the
test accounts' picture."""

from __future__ import annotations

import html
import json
import re
import struct
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

HOST = "127.0.0.2"  # another site than the service's 127.0.0.1: any 127.x answers on loopback

ARTICLE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
  body {{ font: 18px/1.6 Georgia, serif; color: #222; background: #fcfbf8; margin: 0; }}
  main {{ max-width: 42rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }}
</style>
</head>
<body>
<main>
  <article>
    <h1>{title}</h1>
    {paragraphs}
  </article>
{snippet}
</main>
</body>
</html>
"""
FILLER = (
    "<p>An ordinary article on an ordinary blog. It knows nothing of the comment service "
    "except the two lines its owner pasted at the end.</p>"
)

PROBE_FRAME = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>probe</title></head><body>probe frame</body></html>"""
PROBE_TOP = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>probe host</title></head><body><iframe src="{src}"></iframe></body></html>"""


def _png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (52, 120, 200)) -> bytes:
    """A small solid-colour PNG, made here so the tests need no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


AVATAR_PNG = _png()


class _Handler(BaseHTTPRequestHandler):
    """Articles at /posts/<slug>/, plus the probe pages the storage control test uses."""

    server: BlogServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        blog = self.server.blog
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
        status = 200
        body: str | bytes
        if blog is not None and (match := re.fullmatch(r"/posts/([\w-]+)/", path)):
            title, paragraphs = blog.articles.get(match[1], (match[1], 3))
            body = ARTICLE.format(
                title=html.escape(title), paragraphs=FILLER * paragraphs, snippet=blog.snippet
            )
        elif blog is not None and path == "/":
            # The front page: every article with its comment count, and no thread.
            items = "".join(
                f'<li><a href="/posts/{slug}/">{html.escape(title)}</a> '
                f'<span data-comment-count-url="{blog.url}/posts/{slug}/">…</span></li>'
                for slug, (title, _) in blog.articles.items()
            )
            body = ARTICLE.format(title="Front page", paragraphs=f"<ul>{items}</ul>",
                                  snippet=blog.snippet.split("\n")[-1])  # fmt: skip
        elif blog is not None and path in blog.pages:
            body = blog.pages[path]
        elif blog is not None and path == "/probe/host/":
            body = PROBE_TOP.format(src=html.escape(blog.probe_url + "/probe/frame/"))
        elif path == "/probe/frame/":
            # The ordinary cookie a third-party iframe would like to keep, and a CHIPS one.
            headers["Set-Cookie"] = "e2e_plain=1; Path=/; SameSite=None; Secure"
            body = PROBE_FRAME
        elif path == "/probe/frame-partitioned/":
            headers["Set-Cookie"] = "e2e_partitioned=1; Path=/; SameSite=None; Secure; Partitioned"
            body = PROBE_FRAME
        elif path == "/avatar.png":
            headers["Content-Type"] = "image/png"
            body = AVATAR_PNG
        elif path == "/probe/cookies":
            headers["Content-Type"] = "application/json"
            body = json.dumps(self.headers.get("Cookie", ""))
        else:
            status, body = 404, "not found"
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class BlogServer(ThreadingHTTPServer):
    daemon_threads = True
    blog: Blog | None = None  # None: only the picture and the probes that need no blog


@dataclass
class Blog:
    """A static blog on 127.0.0.2 whose article template carries the site's snippet."""

    url: str
    probe_url: str  # the same pages from 127.0.0.1: a third party when framed by the blog
    service_url: str
    site_key: str = ""
    snippet: str = ""
    articles: dict[str, tuple[str, int]] = field(default_factory=dict)  # slug: title, length
    pages: dict[str, str] = field(default_factory=dict)  # path: a whole page of a test's own

    def article(self, slug: str, title: str, paragraphs: int = 3) -> str:
        """Publish an article of `paragraphs` paragraphs, the snippet after them; its URL."""
        self.articles[slug] = (title, paragraphs)
        return f"{self.url}/posts/{slug}/"

    def frame_url(self, page_url: str, title: str, **extra: str) -> str:
        """The comment iframe's own address for a page, as embed.js builds it."""
        params = {"site": self.site_key, "url": page_url, "title": title, "parent": self.url}
        return f"{self.service_url}/embed/thread?{urlencode(params | extra)}"


def serve(host: str) -> BlogServer:
    """A blog server on `host`, on a free port, from a thread of this process; give it its
    `blog` and stop it with shutdown()."""
    server = BlogServer((host, 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
