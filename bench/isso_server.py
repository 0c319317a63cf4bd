"""Isso, the comment server measured against: its own venv under bench/.work/ (installed by
`make bench`), a generated isso.cfg, and gunicorn with as many workers as ours."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers import BenchError, gunicorn

VENV = Path(__file__).resolve().parent / ".work" / "isso"
GUNICORN = VENV / "bin" / "gunicorn"
APP = "isso.run:application"  # Isso's WSGI entry; it reads ISSO_SETTINGS


def config(work: Path, blog: str) -> str:
    """Moderation and the guard (its rate limit) off; the blog as its only website."""
    return f"""[general]
dbpath = {work / "isso.db"}
host = {blog}/
notify = stdout
gravatar = false

[moderation]
enabled = false

[guard]
enabled = false

[server]
profile = false
"""


def isso_version() -> str:
    found = list((VENV / "lib").glob("python*/site-packages/isso-*.dist-info"))
    return found[0].name.removeprefix("isso-").removesuffix(".dist-info") if found else "?"


@contextmanager
def isso(work: Path, blog: str, port: int, env: dict[str, str]) -> Iterator[str]:
    if not GUNICORN.exists():
        raise BenchError(f"No Isso in {VENV}: `make bench` installs it.")
    settings = work / "isso.cfg"
    settings.write_text(config(work, blog))
    env = {**env, "ISSO_SETTINGS": str(settings)}
    with gunicorn(GUNICORN, APP, work, env, port, work / "isso.log") as base:
        yield base
