"""The WIDGET_* settings, in one table (SETTINGS): each with its parser, default and meaning.

load() reads them all from the environment into Flask config keys of the same names (the
database URL and the secret key into Flask's own keys). docs/configuration.md describes the
same table, and tests/test_configuration_docs.py checks that the two agree. The sign-in
providers' settings, a family per provider, are read by auth/providers.py.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

TRUE_WORDS = {"1", "true", "yes", "on"}


def flag(text: str) -> bool:
    return text.strip().lower() in TRUE_WORDS


def _without_trailing_slash(url: str) -> str:
    return url.rstrip("/")


def _with_our_driver(url: str) -> str:
    """Plain postgres:// URLs get the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    # As the environment would spell it; None: it follows from the instance folder (load).
    default: str | None
    about: str

    def value(self, environ: Mapping[str, str], default: str | None = None) -> Any:
        """The setting's value in `environ`; unset or empty, its default (or `default`, for a
        setting whose default follows from the instance folder)."""
        text: str | None = environ.get(self.name, "")
        if text is None or text.strip() == "":
            text = self.default if default is None else default
        if text is None:
            raise LookupError(f"{self.name}'s default follows from the instance folder")
        return self.parse(text)


SETTINGS: tuple[Setting, ...] = (
    Setting("WIDGET_DATABASE_URL", _with_our_driver, None,
            "SQLAlchemy URL; unset, sqlite:///<instance>/widget.db"),
    Setting("WIDGET_SECRET_KEY", str, None,
            "signs sessions; unset, one generated once into <instance>/secret_key"),
    Setting("WIDGET_INSTANCE_PATH", str, None,
            "the folder of the default SQLite database and the generated key; unset, ./instance"),
    Setting("WIDGET_PUBLIC_URL", _without_trailing_slash, "http://127.0.0.1:5000",
            "the address readers reach the service at: snippets, and the one origin trusted"),
    Setting("WIDGET_REDIS_URL", str, "", "where rate-limit counts and cached pages are shared"),
    Setting("WIDGET_RATELIMIT_ENABLED", flag, "1", "0 switches rate limits off"),
    # Per client address: a person writes a few comments a minute at most.
    Setting("WIDGET_RATELIMIT_POST", str, "6 per minute;60 per hour",
            "comments one client address may post"),
    Setting("WIDGET_RATELIMIT_POST_USER", str, "10 per minute;100 per hour",
            "comments one signed-in account may post, wherever from"),
    Setting("WIDGET_RATELIMIT_SIGNIN", str, "20 per minute;200 per hour",
            "sign-ins one client address may start"),
    Setting("WIDGET_RATELIMIT_LOGIN", str, "5 per minute;30 per hour",
            "owners' password logins per client address"),
    Setting("WIDGET_RATELIMIT_PREFIX", str, "widget", "prefix of the rate-limit keys in Redis"),
    # /demo/ (`make run` turns it on): a page anyone may post to, so off unless asked.
    Setting("WIDGET_DEMO", flag, "0", "1 serves the demo article at /demo/"),
    Setting("WIDGET_MAX_BODY_CHARS", int, "20000", "longest comment, in characters"),
    Setting("WIDGET_IMPORT_MAX_MB", float, "200",
            "largest export file an owner may upload in the dashboard"),
    Setting("WIDGET_THREAD_PAGE_SIZE", int, "50",
            "top-level comments per page of a thread, each with all its replies"),
    Setting("WIDGET_HOT_CACHE_MB", float, "32",
            "memory each process may keep thread pages it served in (0: off)"),
    Setting("WIDGET_PAGE_CACHE_MB", float, "32",
            "memory each process may keep rendered pages in, without Redis (0: off)"),
    Setting("WIDGET_PROXY_COUNT", int, "0",
            "the operator's proxies in front of gunicorn, whose X-Forwarded-For is believed"),
    Setting("WIDGET_AVATAR_PRIVATE_NETWORKS", str, "",
            "networks besides the public internet readers' pictures may be fetched from"),
    Setting("WIDGET_SMTP_HOST", str, "",
            "mail server for invitations and reply emails; with none no mail is sent"),
    Setting("WIDGET_SMTP_PORT", int, "587", "its port"),
    Setting("WIDGET_SMTP_STARTTLS", flag, "1", "STARTTLS before logging in"),
    Setting("WIDGET_SMTP_USER", str, "", "log in to the mail server as"),
    Setting("WIDGET_SMTP_PASSWORD", str, "", "with this password"),
    Setting("WIDGET_SMTP_TIMEOUT", float, "10",
            "seconds the mail server may stay silent before a send gives up"),
    Setting("WIDGET_MAIL_FROM", str, "", "the service's sender; unset, comments@<public host>"),
    # Off by default: `widget mail work` is the worker when several processes serve.
    Setting("WIDGET_MAIL_WORKER", flag, "0",
            "1 sends the outbox from a thread in each web process"),
    Setting("WIDGET_HASH_PEPPER", str, "",
            "key of the HMAC-SHA256 of blocked emails and IPs; unset, the secret key"),
    Setting("WIDGET_SPAM_CHECKS", flag, "1", "the widget form's honeypot and timing checks"),
    Setting("WIDGET_SPAM_MIN_SECONDS", float, "3",
            "a guest's comment posted sooner after the form was shown is held"),
    Setting("WIDGET_AKISMET_KEY", str, "", "an Akismet API key: guests' comments are checked"),
    Setting("WIDGET_AKISMET_URL", str, "https://rest.akismet.com", "Akismet's address"),
)  # fmt: skip
BY_NAME = {setting.name: setting for setting in SETTINGS}
# Read by load() itself, into Flask's keys, or by create_app before there is a config.
_OF_THE_INSTANCE = ("WIDGET_DATABASE_URL", "WIDGET_SECRET_KEY", "WIDGET_INSTANCE_PATH")


def load(instance_path: str, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Every setting of the table found in `environ` (or its default), as Flask config keys,
    and the Flask settings that follow from them."""
    values = {s.name: s.value(environ) for s in SETTINGS if s.name not in _OF_THE_INSTANCE}
    return values | {
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path, environ),
        "SECRET_KEY": secret_key(instance_path, environ),
        # A request body larger than this is refused with 413 before it is parsed.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": values["WIDGET_PUBLIC_URL"].startswith("https://"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def instance_folder(default: str, environ: Mapping[str, str] = os.environ) -> str:
    """WIDGET_INSTANCE_PATH, or `default` (the instance folder beside the code)."""
    return str(BY_NAME["WIDGET_INSTANCE_PATH"].value(environ, default))


def database_url(instance_path: str, environ: Mapping[str, str] = os.environ) -> str:
    """The SQLAlchemy URL: WIDGET_DATABASE_URL, or an SQLite file in the instance folder."""
    default = f"sqlite:///{Path(instance_path) / 'widget.db'}"
    return str(BY_NAME["WIDGET_DATABASE_URL"].value(environ, default))


def secret_key(instance_path: str, environ: Mapping[str, str] = os.environ) -> str:
    """WIDGET_SECRET_KEY, or a key generated once into instance/ and kept there.

    A hard-coded fallback would let anyone who read our source forge sessions.
    """
    key = environ.get("WIDGET_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def private_instance(instance_path: str) -> None:
    """The instance folder, created readable by its owner only (it holds the secret key and
    the SQLite database), whatever the umask. One that exists is left as the operator made it."""
    path = Path(instance_path)
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)


def private_sqlite_file(url: str) -> None:
    """An SQLite database file, created empty (a valid database) and 0600 before SQLite
    creates it with the umask's mode; SQLite gives its -wal and -shm files the same mode."""
    parsed = make_url(url)
    path = parsed.database
    if not parsed.drivername.startswith("sqlite") or not path or path == ":memory:":
        return
    if parsed.query.get("uri") or path.startswith("file:"):
        return  # (a URI filename, which SQLite parses itself)
    if not Path(path).parent.is_dir():
        return  # SQLite will say so
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.fchmod(fd, 0o600)
    os.close(fd)
