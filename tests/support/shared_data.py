"""The real files other programs wrote, read in place from shared/ beside the checkout (CI
has it there too; they are never copied into the repository): ../shared/data/import/README.md
tells where each comes from, its licence and its quirks. WIDGET_SHARED_DATA names another
place, for a checkout that does not have shared/ beside it (a git worktree, say)."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("WIDGET_SHARED_DATA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "data"
)
IMPORT_FILES = SHARED_DATA / "import"
SPAM_CORPUS = SHARED_DATA / "spam"
