"""Settings from WIDGET_* environment variables, with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def database_url(instance_path: str) -> str:
    """The SQLAlchemy URL; plain postgres:// URLs get the psycopg 3 driver we ship."""
    url = os.environ.get("WIDGET_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'widget.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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


def secret_key(instance_path: str) -> str:
    """WIDGET_SECRET_KEY, or a key generated once into instance/ and kept there.

    A hard-coded fallback would let anyone who read our source forge sessions.
    """
    key = os.environ.get("WIDGET_SECRET_KEY")
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


def load(instance_path: str) -> dict[str, Any]:
    """Everything the app reads from its environment, as Flask config keys."""
    from .auth.providers import provider_settings_from_env
    from .comments.spam import settings as spam_settings
    from .ratelimits import settings as ratelimit_settings

    public_url = os.environ.get("WIDGET_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    return (
        {
            "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
            "SECRET_KEY": secret_key(instance_path),
            "WIDGET_PUBLIC_URL": public_url,
            "WIDGET_RATELIMIT_ENABLED": env_flag("WIDGET_RATELIMIT_ENABLED", True),
            # /demo/ (`make run` turns it on): a page anyone may post to, so off unless asked.
            "WIDGET_DEMO": env_flag("WIDGET_DEMO", False),
            "WIDGET_MAX_BODY_CHARS": int(os.environ.get("WIDGET_MAX_BODY_CHARS", "20000")),
            "WIDGET_LINK_LIMIT": int(os.environ.get("WIDGET_LINK_LIMIT", "2")),
            # Top-level comments per page of a thread (each with all its replies).
            "WIDGET_THREAD_PAGE_SIZE": int(os.environ.get("WIDGET_THREAD_PAGE_SIZE", "50")),
            # Each process keeps thread pages it served, up to this much memory (0: off).
            "WIDGET_HOT_CACHE_MB": float(os.environ.get("WIDGET_HOT_CACHE_MB", "32")),
            # Rendered pages kept for any query string, per process without Redis (0: off).
            "WIDGET_PAGE_CACHE_MB": float(os.environ.get("WIDGET_PAGE_CACHE_MB", "32")),
            # Proxies of the operator's in front of gunicorn, whose X-Forwarded-For is believed.
            "WIDGET_PROXY_COUNT": int(os.environ.get("WIDGET_PROXY_COUNT", "0")),
            "WIDGET_AVATAR_PRIVATE_NETWORKS": os.environ.get("WIDGET_AVATAR_PRIVATE_NETWORKS", ""),
            # A request body larger than this is refused with 413 before it is parsed.
            "MAX_CONTENT_LENGTH": 256 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": public_url.startswith("https://"),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            # Blocked emails and IPs: HMAC-SHA256 under this pepper (the secret key if unset).
            "WIDGET_HASH_PEPPER": os.environ.get("WIDGET_HASH_PEPPER", ""),
            # Invitation emails (docs/configuration.md); with no host the link is shown instead.
            "WIDGET_SMTP_HOST": os.environ.get("WIDGET_SMTP_HOST", ""),
            "WIDGET_SMTP_PORT": int(os.environ.get("WIDGET_SMTP_PORT", "587")),
            "WIDGET_SMTP_USER": os.environ.get("WIDGET_SMTP_USER", ""),
            "WIDGET_SMTP_PASSWORD": os.environ.get("WIDGET_SMTP_PASSWORD", ""),
            "WIDGET_SMTP_STARTTLS": env_flag("WIDGET_SMTP_STARTTLS", True),
            "WIDGET_MAIL_FROM": os.environ.get("WIDGET_MAIL_FROM", ""),
        }
        | provider_settings_from_env(os.environ)
        | ratelimit_settings(os.environ)
        | spam_settings(os.environ)
    )
