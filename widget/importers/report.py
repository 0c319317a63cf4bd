"""What an import found and did, for the command line, the dashboard and the logs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

EXAMPLES_KEPT = 5  # source ids shown for each reason a comment was skipped


@dataclass
class Report:
    format: str
    dry_run: bool = False
    comments_in_file: int = 0
    threads_created: int = 0
    threads_merged: int = 0  # pages that had a thread here already
    imported: Counter[str] = field(default_factory=Counter)  # by status
    already: int = 0  # imported by an earlier run of the same file: left as they are
    orphans: int = 0  # replies whose parent is not in the file, kept at the top level
    skipped: Counter[str] = field(default_factory=Counter)  # why → how many comments
    examples: dict[str, list[str]] = field(default_factory=dict)
    settings: str = ""  # "restored", "would be restored", or "" when the file has none
    created: set[int] = field(default_factory=set, repr=False)  # threads this import made

    def skip(self, why: str, key: str, count: int = 1) -> None:
        self.skipped[why] += count
        kept = self.examples.setdefault(why, [])
        if len(kept) < EXAMPLES_KEPT and key:
            kept.append(key)

    @property
    def threads(self) -> int:
        return self.threads_created + self.threads_merged

    def lines(self) -> list[str]:
        verb = "Would import" if self.dry_run else "Imported"
        statuses = ("published", "pending", "spam", "deleted")
        shown = ", ".join(f"{self.imported[s]} {_STATUS_WORDS[s]}" for s in statuses)
        lines = [
            f"Read {self.comments_in_file} comments ({self.format}).",
            f"Threads: {self.threads_created} new, {self.threads_merged} already here.",
            f"{verb}: {shown}.",
        ]
        if self.already:
            lines.append(f"Already imported by an earlier run, left as they are: {self.already}.")
        if self.orphans:
            lines.append(
                f"Replies whose parent is not in the file, kept at the top level: {self.orphans}."
            )
        if self.skipped:
            lines.append(f"Skipped {sum(self.skipped.values())}:")
            for why, count in self.skipped.most_common():
                examples = ", ".join(self.examples.get(why, []))
                lines.append(f"  {count} {why}" + (f" (e.g. {examples})" if examples else ""))
        if self.settings:
            lines.append(f"Site settings {self.settings} from the backup.")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "comments_in_file": self.comments_in_file,
            "threads_created": self.threads_created,
            "threads_merged": self.threads_merged,
            "imported": dict(self.imported),
            "already": self.already,
            "orphans": self.orphans,
            "skipped": dict(self.skipped),
            "examples": self.examples,
            "settings": self.settings,
        }


_STATUS_WORDS = {"published": "published", "pending": "held", "spam": "spam", "deleted": "deleted"}
