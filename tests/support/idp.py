"""A real OpenID Connect provider (panva/oidc-provider, tests/e2e/idp/server.mjs) for the e2e tests.

``start_idp()`` runs it on 127.0.0.1 with one confidential client and the redirect URIs it is
given (``IdP.set_coop()`` switches Cross-Origin-Opener-Policy on and off while it runs); the
e2e conftest's session fixture ``idp`` runs one for ``callback_url(service_url)``, the service
showing it as IDP_LABEL.

The provider's sign-in pages (oidc-provider devInteractions):
- login: ``input[name=login]`` (any value, becomes ``sub``), ``input[name=password]`` (anything),
  button "Sign-in";
- consent: button "Continue".
Claims for login ``alice``: name "Alice Example", email ``alice@example.test`` (verified),
profile ``https://profiles.example.test/alice``, picture = ``picture_url`` if given. They come
from the UserInfo endpoint only, not from the ID token.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.support import servers

IDP_DIR = Path(__file__).resolve().parents[1] / "e2e" / "idp"
SERVER = IDP_DIR / "server.mjs"
CLIENT_ID = "widget-e2e"
CLIENT_SECRET = "widget-e2e-secret-not-a-secret"
CALLBACK_PATH = "/auth/oidc/callback"
IDP_LABEL = "Test ID"  # the name the service gives the provider (WIDGET_OIDC_NAME)
READY_TIMEOUT = 15.0
NPM_TIMEOUT = 180.0


@dataclass
class IdP:
    issuer: str  # http://127.0.0.1:PORT, no trailing slash
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    coop: bool
    log_path: Path  # the provider's stdout and stderr
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def set_coop(self, on: bool) -> None:
        """Switch Cross-Origin-Opener-Policy: same-origin on or off for every later response."""
        url = f"{self.issuer}/__test__/coop/{'on' if on else 'off'}"
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5):
            self.coop = on

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            servers.stop(process)
        with contextlib.suppress(OSError):
            self.log_path.unlink()


def ensure_node_modules() -> None:
    """`npm ci` in tests/e2e/idp when oidc-provider is not installed there yet."""
    if (IDP_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed; the e2e OpenID provider needs Node.js and npm")
    subprocess.run(
        [npm, "ci", "--prefix", str(IDP_DIR), "--no-audit", "--no-fund"],
        check=True,
        timeout=NPM_TIMEOUT,
        stdout=subprocess.DEVNULL,
    )
    (IDP_DIR / "node_modules" / ".installed").touch()  # the Makefile's stamp: installed already


def _launch(redirect_uris: list[str], coop: bool, picture_url: str | None, ttl: int | None) -> IdP:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed; the e2e OpenID provider needs Node.js")
    port = servers.free_port()
    env = {
        **os.environ,
        "IDP_PORT": str(port),
        "IDP_CLIENT_ID": CLIENT_ID,
        "IDP_CLIENT_SECRET": CLIENT_SECRET,
        "IDP_REDIRECT_URIS": ",".join(redirect_uris),
        "IDP_COOP": "1" if coop else "0",
    }
    env.pop("IDP_PICTURE_URL", None)
    if picture_url:
        env["IDP_PICTURE_URL"] = picture_url
    if ttl is not None:
        env["IDP_TTL"] = str(ttl)
    fd, log_name = tempfile.mkstemp(prefix="e2e-idp-", suffix=".log")
    with os.fdopen(fd, "wb") as log_file:
        process = subprocess.Popen(
            [node, str(SERVER)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return IdP(
        issuer=f"http://127.0.0.1:{port}",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=list(redirect_uris),
        coop=coop,
        log_path=Path(log_name),
        _process=process,
    )


def _wait_ready(idp: IdP, deadline: float) -> bool:
    """True once discovery answers; False if the process died (e.g. the port was taken)."""
    assert idp._process is not None
    while time.monotonic() < deadline:
        if idp._process.poll() is not None:
            return False
        try:
            response = requests.get(idp.discovery_url, timeout=1)
            if response.ok and response.json().get("issuer") == idp.issuer:
                return True
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError(
        f"the e2e OpenID provider did not answer {idp.discovery_url} within "
        f"{READY_TIMEOUT:.0f} s; its output:\n{idp.log()}"
    )


@contextlib.contextmanager
def start_idp(
    redirect_uris: list[str],
    coop: bool = False,
    picture_url: str | None = None,
    ttl: int | None = None,
) -> Iterator[IdP]:
    """Run the provider until the block exits. ``coop=True``: every response sends
    ``Cross-Origin-Opener-Policy: same-origin`` (a popup passing through loses window.opener).
    """
    if not redirect_uris:
        raise ValueError("start_idp() needs at least one redirect URI")
    ensure_node_modules()
    deadline = time.monotonic() + READY_TIMEOUT
    for _attempt in range(3):  # the free port may be taken between picking and listening
        idp = _launch(redirect_uris, coop, picture_url, ttl)
        try:
            ready = _wait_ready(idp, deadline)
        except BaseException:
            idp.stop()
            raise
        if ready:
            break
        output = idp.log()
        idp.stop()
        if "EADDRINUSE" not in output:
            raise RuntimeError(f"the e2e OpenID provider exited at start; its output:\n{output}")
    else:
        raise RuntimeError("the e2e OpenID provider found no free port in 3 attempts")
    try:
        yield idp
    finally:
        idp.stop()


def callback_url(service_url: str) -> str:
    return service_url.rstrip("/") + CALLBACK_PATH
