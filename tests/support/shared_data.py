"""Where the real third-party files are read in place: `shared/data/` beside the checkout (as
CI lays it), or beside a folder above it (a git worktree of the checkout)."""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    for folder in _CHECKOUT.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    raise FileNotFoundError(f"no shared/data/ beside {_CHECKOUT} or any folder above it")
