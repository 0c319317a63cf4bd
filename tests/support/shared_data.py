"""The real files other programs wrote, read in place from `shared/data/` beside the checkout
(as CI lays it), or beside a folder above it (a git worktree of the checkout); they are never
copied into the repository. shared/data/import/README.md tells where each comes from, its
licence and its quirks."""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    for folder in _CHECKOUT.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    raise FileNotFoundError(f"no shared/data/ beside {_CHECKOUT} or any folder above it")


def _found_or_beside() -> Path:
    try:
        return shared_data()
    except FileNotFoundError:
        return _CHECKOUT.parent / "shared" / "data"  # where CI puts it; tests skip without it


SHARED_DATA = _found_or_beside()
IMPORT_FILES = SHARED_DATA / "import"
SPAM_CORPUS = SHARED_DATA / "spam"
