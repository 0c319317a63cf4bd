"""Attack: a provider's `picture` URL aimed inside our own network (server-side request forgery).

Whoever controls a provider profile (any OpenID Connect provider the operator trusts, or a
provider account's picture field) chooses the URL the service fetches when they sign in. The
service must only ever ask public addresses, for pictures, outside the sign-in request.

Real HTTP servers on loopback stand in for both sides: recording servers for what must never be
asked, and one address (127.0.0.3) that the operator's setting WIDGET_AVATAR_PRIVATE_NETWORKS lets
through, for "the public internet". Every connection attempt leaving loopback is recorded and
refused, so nothing here reaches the network.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import html
import io
import ipaddress
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from base64 import urlsafe_b64encode
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from PIL import Image
from sqlalchemy import select

from tests.support.blog import PAGE
from widget.auth import avatars, picture_fetch, registry
from widget.auth.profiles import Profile
from widget.extensions import db
from widget.models import User

SERVICE = "https://comments.example.net"
IFRAME = {"X-Requested-With": "XMLHttpRequest", "Origin": SERVICE}
GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}
PUBLIC_STAND_IN = "127.0.0.3"  # the one loopback address the app is told to treat as public
WAIT = 10.0  # seconds: the longest any background fetch may take here


# --- servers that record whether they were asked ----------------------------------------------

Answer = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        self.server.answer(self)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    answer: Answer


@dataclasses.dataclass
class Served:
    httpd: _Server

    @property
    def hits(self) -> list[str]:
        return self.httpd.hits

    def url(self, path: str = "/me.png", host: str | None = None) -> str:
        address, port = self.httpd.server_address[:2]
        return f"http://{host or address}:{port}{path}"


def picture(body: bytes, kind: str = "image/png") -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def redirect(location: str) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def drip(seconds: float = 12.0) -> Answer:
    """A picture that arrives one byte at a time, for longer than any fetch may last."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        until = time.monotonic() + seconds
        try:
            while time.monotonic() < until:
                handler.wfile.write(b"\x89")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:  # the fetcher hung up: what we want
            pass

    return answer


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    started: list[_Server] = []

    def start(answer: Answer | None = None, host: str = "127.0.0.1", port: int = 0,
              tls: ssl.SSLContext | None = None) -> Served:  # fmt: skip
        httpd = _Server((host, port), _Handler)
        if tls is not None:
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        httpd.hits = []
        httpd.answer = answer or picture(png())
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return Served(httpd)

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address any socket tries to connect to; only loopback is let through."""
    tried: list[tuple[str, int]] = []

    class Recording(socket.socket):
        def connect(self, address):  # type: ignore[no-untyped-def]
            tried.append(address[:2])
            _only_loopback(address[0])
            return super().connect(address)

        def connect_ex(self, address):  # type: ignore[no-untyped-def]
            tried.append(address[:2])
            _only_loopback(address[0])
            return super().connect_ex(address)

    monkeypatch.setattr(socket, "socket", Recording)
    return tried


def _only_loopback(host: str) -> None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address is None or not address.is_loopback:
        raise OSError(errno.ENETUNREACH, f"tests reach no network ({host})")


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names the tests make up, and what each lookup of them answers (the last answer sticks)."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        answers = names.get(host.decode() if isinstance(host, bytes) else host)
        if answers:
            host = answers.pop(0) if len(answers) > 1 else answers[0]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


# --- pictures ---------------------------------------------------------------------------------


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0131] = "where-i-live-software"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny file whose header claims a huge picture (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    rows = zlib.compress(b"\0" * 4096)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


# --- signing in through the real callback, the provider stood in for ---------------------------


@pytest.fixture
def app(make_app, monkeypatch):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB, WIDGET_AVATAR_PRIVATE_NETWORKS=f"{PUBLIC_STAND_IN}/32")
    monkeypatch.setattr(
        FlaskOAuth2App, "authorize_access_token", lambda self, **kw: {"access_token": "t"}
    )
    with app.app_context():
        yield app


@pytest.fixture
def picture_is(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Choose the picture URL the provider says the person signing in has."""

    def choose(url: str | None) -> None:
        profile = Profile(
            provider="github", subject="4242", name="Octo Cat", avatar_url=url,
            profile_url="https://github.com/octo", email="octo@example.com", email_verified=True,
        )  # fmt: skip
        github = dataclasses.replace(
            registry.all_providers()["github"], fetch_profile=lambda client, token: profile
        )
        monkeypatch.setitem(app.extensions[registry.KEY], "github", github)

    return choose


@dataclasses.dataclass
class SignedIn:
    callback_seconds: float
    redeemed: dict


def sign_in(client, site) -> SignedIn:  # type: ignore[no-untyped-def]
    """The iframe starts an attempt, the popup goes to the provider and back, the iframe redeems."""
    verifier = secrets.token_urlsafe(32)
    challenge = urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    started = client.post(
        "/api/v1/auth/attempts",
        json={"site": site.key, "provider": "github", "challenge": challenge.decode()},
        headers=IFRAME,
    ).json
    popup = client.post(
        "/auth/start",
        data={"attempt": started["attempt"], "start_token": started["start_token"]},
        headers={"Origin": SERVICE},
    )
    link = re.search(r'content="0;url=([^"]+)"', popup.get_data(as_text=True))
    assert link, popup.get_data(as_text=True)
    state = parse_qs(urlsplit(html.unescape(link[1])).query)["state"][0]
    began = time.monotonic()
    back = client.get(f"/auth/github/callback?code=abc&state={state}")
    seconds = time.monotonic() - began
    assert back.status_code == 200, back.get_data(as_text=True)
    redeemed = client.post(
        f"/api/v1/auth/attempts/{started['attempt']}/redeem",
        json={"verifier": verifier},
        headers=IFRAME,
    )
    assert redeemed.status_code == 200, redeemed.json
    assert redeemed.json["status"] == "signed_in"
    return SignedIn(seconds, redeemed.json)


def fetches_done() -> User:
    """Wait for the pictures sign-in handed to the background; the user as stored then."""
    assert avatars.wait_idle(WAIT), "a background picture fetch outlived its deadline"
    db.session.rollback()  # a snapshot of before the fetch ends here; read the rows again
    user = db.session.scalar(select(User))
    assert user is not None
    return user


# --- the attacks ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2"])
def test_picture_on_loopback_is_never_requested(client, site, serve, picture_is, host):
    target = serve(host=host)
    picture_is(target.url())
    sign_in(client, site)
    user = fetches_done()
    assert target.hits == []
    assert user.avatar is None


PRIVATE_PICTURES = [
    "http://10.0.0.5/me.png",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://192.168.1.1/me.png",
    "http://100.64.0.1/me.png",
    "http://[fd00::1]/me.png",
    "http://0.0.0.0/me.png",
]


def test_picture_on_a_private_or_metadata_address_is_never_requested(
    client, site, picture_is, connections
):
    for url in PRIVATE_PICTURES:
        picture_is(url)
        sign_in(client, site)
        fetches_done()
        host = urlsplit(url).hostname
        assert [a for a, _port in connections if a == host] == [], url


def test_picture_at_a_decimal_loopback_address_is_never_requested(client, site, serve,
                                                                  picture_is):  # fmt: skip
    target = serve(host="127.0.0.1")
    picture_is(target.url(host="2130706433"))  # 127.0.0.1 written as one number
    sign_in(client, site)
    fetches_done()
    assert target.hits == []


def test_picture_at_an_ipv4_mapped_loopback_address_is_never_requested(client, site, serve,
                                                                       picture_is):  # fmt: skip
    target = serve(host="127.0.0.1")
    picture_is(target.url(host="[::ffff:127.0.0.1]"))
    sign_in(client, site)
    fetches_done()
    assert target.hits == []


def test_public_name_that_redirects_to_loopback_is_not_followed(client, site, serve, dns,
                                                                picture_is):  # fmt: skip
    inside = serve(host="127.0.0.1")
    public = serve(redirect(inside.url("/secret")), host=PUBLIC_STAND_IN)
    dns["pictures.example.com"] = [PUBLIC_STAND_IN]
    picture_is(public.url(host="pictures.example.com"))
    sign_in(client, site)
    user = fetches_done()
    assert public.hits == ["/me.png"]  # the public server was asked, and said "go inside"
    assert inside.hits == []
    assert user.avatar is None


def test_name_rebound_to_loopback_after_the_check_is_not_connected_to(client, site, serve, dns,
                                                                      picture_is):  # fmt: skip
    """DNS rebinding: the name is public when checked and loopback when looked up again."""
    public = serve(host=PUBLIC_STAND_IN)
    inside = serve(host="127.0.0.1", port=public.httpd.server_address[1])
    dns["rebind.example.com"] = [PUBLIC_STAND_IN, "127.0.0.1"]
    picture_is(public.url(host="rebind.example.com"))
    sign_in(client, site)
    user = fetches_done()
    assert inside.hits == []
    assert public.hits == ["/me.png"]
    assert user.avatar is not None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.3/me.png",
                                 "gopher://127.0.0.3:11211/_stats", "http:///me.png"])  # fmt: skip
def test_only_http_and_https_pictures_are_fetched(client, site, picture_is, connections, url):
    picture_is(url)
    sign_in(client, site)
    user = fetches_done()
    assert connections == []
    assert user.avatar is None


def test_https_checks_the_certificate_for_the_name_it_was_given(serve, dns, tmp_path):
    """The connection goes to the checked address, yet TLS is still about the name: SNI carries
    it and a certificate not vouched for is refused (no request is sent)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make a certificate with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=secure.example.com", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    names: list[str | None] = []
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    tls.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment]
    server = serve(host=PUBLIC_STAND_IN, tls=tls)
    dns["secure.example.com"] = [PUBLIC_STAND_IN]
    url = server.url(host="secure.example.com").replace("http://", "https://")
    with pytest.raises(picture_fetch.Refused, match="CERTIFICATE_VERIFY_FAILED"):
        picture_fetch.fetch(url, trusted=[ipaddress.ip_network(PUBLIC_STAND_IN)])
    assert names == ["secure.example.com"]
    assert server.hits == []


def test_sign_in_does_not_wait_for_a_dripping_picture_server(client, site, serve, picture_is,
                                                             monkeypatch):  # fmt: skip
    monkeypatch.setattr(picture_fetch, "DEADLINE_SECONDS", 2.0)
    slow = serve(drip(), host=PUBLIC_STAND_IN)
    picture_is(slow.url())
    signed_in = sign_in(client, site)
    assert signed_in.callback_seconds < 1.0
    assert signed_in.redeemed["user"]["name"] == "Octo Cat"
    user = fetches_done()
    assert slow.hits == ["/me.png"]
    assert user.avatar is None


def test_a_dripping_picture_server_is_cut_off_at_the_deadline(serve, monkeypatch):
    monkeypatch.setattr(picture_fetch, "DEADLINE_SECONDS", 1.5)
    slow = serve(drip(), host=PUBLIC_STAND_IN)
    began = time.monotonic()
    with pytest.raises(picture_fetch.Refused, match="deadline"):
        picture_fetch.fetch(slow.url(), trusted=[ipaddress.ip_network(PUBLIC_STAND_IN)])
    assert time.monotonic() - began < 2.5


def test_a_dripping_header_is_cut_off_at_the_deadline(serve, monkeypatch):
    """Not one read's timeout but the whole fetch's: a status line sent a byte at a time."""

    def slow_headers(handler: BaseHTTPRequestHandler) -> None:
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 200:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    monkeypatch.setattr(picture_fetch, "DEADLINE_SECONDS", 1.5)
    slow = serve(slow_headers, host=PUBLIC_STAND_IN)
    began = time.monotonic()
    with pytest.raises(picture_fetch.Refused):
        picture_fetch.fetch(slow.url(), trusted=[ipaddress.ip_network(PUBLIC_STAND_IN)])
    assert time.monotonic() - began < 2.5


def test_a_picture_larger_than_the_cap_is_refused(client, site, serve, picture_is):
    big = serve(picture(png() + b"\0" * (picture_fetch.MAX_BYTES + 1)), host=PUBLIC_STAND_IN)
    picture_is(big.url())
    sign_in(client, site)
    assert fetches_done().avatar is None


def test_a_body_that_is_not_an_image_is_dropped(client, site, serve, picture_is):
    page = b"<html><script>alert(document.domain)</script></html>"
    fake = serve(picture(page, "image/png"), host=PUBLIC_STAND_IN)
    picture_is(fake.url())
    sign_in(client, site)
    user = fetches_done()
    assert fake.hits == ["/me.png"]
    assert user.avatar is None
    assert user.avatar_version == ""


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused(client, site, serve, picture_is):
    bomb = serve(picture(png_claiming(12_000, 12_000)), host=PUBLIC_STAND_IN)
    picture_is(bomb.url())
    sign_in(client, site)
    assert fetches_done().avatar is None


def test_a_real_picture_is_reencoded_without_its_metadata_and_served_from_our_origin(
    client, site, serve, picture_is
):
    photo = serve(picture(jpeg_with_exif(), "image/jpeg"), host=PUBLIC_STAND_IN)
    picture_is(photo.url())
    signed_in = sign_in(client, site)
    user = fetches_done()
    assert photo.hits == ["/me.png"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer "
                                           f"{signed_in.redeemed['access_token']}"})  # fmt: skip
    served = client.get(me.json["user"]["avatar_url"])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == user.avatar
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "PNG"
    assert max(image.size) <= avatars.MAX_SIDE
    assert not image.getexif()
    assert b"SpyCam" not in served.data
    assert b"where-i-live" not in served.data


def test_a_new_picture_shows_at_once_on_pages_the_reader_commented_on(
    client, site, serve, picture_is, post_json
):
    photo = serve(host=PUBLIC_STAND_IN)
    picture_is(None)
    token = sign_in(client, site).redeemed["access_token"]
    posted = post_json({"site": site.key, "url": PAGE, "body": "Signed words"},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert posted.status_code == 201, posted.json
    query = {"site": site.key, "url": PAGE}
    before = client.get("/embed/thread", query_string=query)
    assert b"/avatars/" not in before.data
    picture_is(photo.url())
    sign_in(client, site)
    fetches_done()
    after = client.get("/embed/thread", query_string=query,
                       headers={"If-None-Match": before.headers["ETag"]})  # fmt: skip
    assert after.status_code == 200
    assert b"/avatars/" in after.data


def test_a_stored_avatar_is_served_only_as_a_png_image(client, site):
    user = User(name="Old Row", avatar=b"<script>alert(1)</script>", avatar_type="text/html",
                avatar_version="abc")  # fmt: skip
    db.session.add(user)
    db.session.commit()
    served = client.get(f"/avatars/{user.id}?v=abc")
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_a_fetch_the_background_lost_is_redone_by_the_command(app, serve):
    photo = serve(host=PUBLIC_STAND_IN)
    user = User(name="Lost Fetch", avatar_source=photo.url())  # recorded; its fetch never ran
    db.session.add(user)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["avatars", "refresh", "--missing"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 pictures fetched" in result.output
    db.session.rollback()
    assert Image.open(io.BytesIO(db.session.get(User, user.id).avatar)).format == "PNG"


def test_the_command_fetches_under_the_same_rules(app, serve):
    inside = serve(host="127.0.0.1")
    db.session.add(User(name="Inside", avatar_source=inside.url()))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["avatars", "refresh"])
    assert "0 of 1 pictures fetched" in result.output
    assert inside.hits == []


def test_signing_in_without_a_picture_drops_the_one_kept(client, site, serve, picture_is):
    picture_is(serve(host=PUBLIC_STAND_IN).url())
    sign_in(client, site)
    assert fetches_done().avatar is not None
    picture_is(None)
    sign_in(client, site)
    user = fetches_done()
    assert (user.avatar, user.avatar_version, user.avatar_source) == (None, "", "")
