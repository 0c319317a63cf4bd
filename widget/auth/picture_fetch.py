"""Fetching a picture from a URL a stranger chose, without being aimed at our own network.

A provider's profile names the picture, so whoever controls the profile chooses where the
service connects. Each hop (a few redirects at most) is resolved once and refused if any address
its name has is not on the public internet; the connection then goes to that checked address,
never to the name looked up again, so a name that changes its answer (DNS rebinding) gains
nothing. TLS still verifies the certificate for the name. One deadline covers the whole fetch
(connecting, every redirect, every byte), and the body is capped.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

DEADLINE_SECONDS = 5.0
MAX_BYTES = 512 * 1024
MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "widget-avatar-fetch/1"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SocketAddress = tuple[int, tuple[Any, ...]]  # (family, sockaddr) as getaddrinfo gives them

# IPv6 forms whose last 32 bits are an IPv4 address (RFC 6052), judged as that address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: the operator's own


class Refused(Exception):
    """Not fetched, and why (for the log)."""


def is_public(address: Address) -> bool:
    """On the public internet: not loopback, private, shared, link-local, multicast, reserved
    or unspecified, nor an IPv6 form (mapped, 6to4, NAT64) of such an IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL or address.is_site_local:
            return False
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


def allowed(address: Address, trusted: Iterable[Network] = ()) -> bool:
    """Public, or in a network the operator said is theirs to fetch from."""
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    plain: Address = mapped or address
    return is_public(address) or any(plain in network for network in trusted)


def checked_addresses(host: str, port: int, trusted: Iterable[Network] = ()) -> list[SocketAddress]:
    """Every address the name has, once; Refused if any one is not allowed (a name with one
    private answer among public ones is not trusted with any)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve: {exc}") from exc
    trusted = list(trusted)
    checked: list[SocketAddress] = []
    for family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not allowed(address, trusted):
            raise Refused(f"{host} is at {address}, not a public address")
        checked.append((family, sockaddr))
    if not checked:
        raise Refused(f"{host} has no address")
    return checked


def fetch(url: str, *, trusted: Sequence[Network] = ()) -> bytes:
    """The body of a 200 answer for url, following a few redirects, each hop checked."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        location, body = _get(url, deadline, trusted)
        if location is None:
            return body
        url = urljoin(url, location)
    raise Refused(f"more than {MAX_REDIRECTS} redirects")


def _get(url: str, deadline: float, trusted: Sequence[Network]) -> tuple[str | None, bytes]:
    """One request: (where it redirects, b"") or (None, the body)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("only http(s) URLs with a host are fetched")
    if parts.username is not None or parts.password is not None:
        raise Refused("a URL with credentials in it")
    tls = parts.scheme == "https"
    port = port or (443 if tls else 80)
    addresses = checked_addresses(parts.hostname, port, trusted)
    connection = _PinnedConnection(parts.hostname, port, addresses, tls, deadline)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0), connection.cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
        response = connection.getresponse()
        if response.status in REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise Refused(f"a {response.status} without a Location")
            return location, b""
        if response.status != 200:
            raise Refused(f"answered {response.status}")
        body = _body(response, deadline)
        if connection.was_cut_off:  # what a cut-off connection gave is not the whole answer
            raise Refused(f"not done within the deadline ({DEADLINE_SECONDS} s)")
        return None, body
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if connection.was_cut_off:
            raise Refused(f"not done within the deadline ({DEADLINE_SECONDS} s)") from exc
        raise Refused(f"{type(exc).__name__}: {exc}") from exc
    finally:
        watchdog.cancel()
        connection.close()


def _body(response: http.client.HTTPResponse, deadline: float) -> bytes:
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > MAX_BYTES:
        raise Refused(f"{length} bytes, more than {MAX_BYTES}")
    body = bytearray()
    while chunk := response.read1(64 * 1024):
        body += chunk
        if len(body) > MAX_BYTES:
            raise Refused(f"more than {MAX_BYTES} bytes")
        if time.monotonic() > deadline:
            raise Refused(f"not done within the deadline ({DEADLINE_SECONDS} s)")
    return bytes(body)


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the chain and the name


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to addresses already checked, sending the name as Host (and SNI)."""

    def __init__(self, host: str, port: int, addresses: list[SocketAddress], tls: bool,
                 deadline: float) -> None:  # fmt: skip
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.01))
        self._addresses, self._tls, self._deadline = addresses, tls, deadline
        self._lock = threading.Lock()
        self.was_cut_off = False

    def connect(self) -> None:
        error: OSError = OSError("no address")
        for family, sockaddr in self._addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            with self._lock:
                self.sock = sock
            try:
                sock.settimeout(max(self._deadline - time.monotonic(), 0.01))
                sock.connect(sockaddr)
                break
            except OSError as exc:
                sock.close()
                error = exc
        else:
            raise error
        if self._tls:
            wrapped = _tls().wrap_socket(sock, server_hostname=self.host)
            with self._lock:
                self.sock = wrapped
                if self.was_cut_off:  # while the socket changed hands: nothing was woken
                    raise OSError("cut off at the deadline")

    def cut_off(self) -> None:
        """At the deadline, from the watchdog: wake whatever read or write is waiting."""
        with self._lock:
            self.was_cut_off = True
            sock = self.sock
        if sock is None:
            return
        try:
            # A duplicate of the descriptor: shutting it down ends the connection under the
            # blocked call, without closing a descriptor another thread is using.
            with socket.fromfd(sock.fileno(), sock.family, sock.type) as twin:
                twin.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed or never connected: nothing is waiting
