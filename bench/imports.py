"""Importing a big WordPress export: time, and memory that does not grow with the file.

Run by `make bench-import` (and `make bench`). Generates WXR files of 10,000 and 50,000
comments (tests/support/generated_exports.py: 100 per post, every fourth a reply), imports each
with `widget import` into a fresh SQLite database, and measures the wall time and the peak
resident memory of the importing process (getrusage of that child). Isso 0.14's own
`isso import` of the same files is measured beside it when bench/.work/isso exists (`make
bench` installs it). Writes bench/IMPORT.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.generated_exports import write_wxr

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "IMPORT.md"
VENV_BIN = Path(sys.executable).parent
ISSO = ROOT / "bench" / ".work" / "isso" / "bin" / "isso"
ORIGIN = "https://bench.example"
SIZES = (10_000, 50_000)
PER_POST = 100
TARGET_SECONDS = 60.0
# Peak memory importing 50,000 comments within this factor of 10,000's: flat, not growing.
TARGET_GROWTH = 1.25


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


def ours(export: Path, work: Path) -> Run:
    env = os.environ | {"WIDGET_INSTANCE_PATH": str(work / "instance"), "WIDGET_DEMO": "0"}
    widget = str(VENV_BIN / "widget")
    subprocess.run([widget, "db", "upgrade"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [widget, "sites", "create", "--name", "Bench", "--origin", ORIGIN, "--json"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    key = json.loads(made.stdout)["key"]
    # A child of its own, so that its peak is not mixed with the set-up commands' above.
    return isolated([widget, "import", "--site", key, str(export)], env)


def isso(export: Path, work: Path) -> Run | None:
    if not ISSO.exists():
        return None
    config = work / "isso.cfg"
    config.write_text(f"[general]\ndbpath = {work / 'isso.db'}\nhost = {ORIGIN}/\n")
    return isolated([str(ISSO), "-c", str(config), "import", "--type", "wordpress", str(export)],
                    os.environ.copy())  # fmt: skip


def isolated(command: list[str], env: dict[str, str]) -> Run:
    """The command's peak memory alone: measured by a wrapper process that runs only it."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, input='y\\n')\n"
        "s = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'rc': p.returncode, 's': s, 'mb': peak, 'out': p.stdout + p.stderr}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, text=True,
        timeout=900, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    if result["rc"]:
        raise SystemExit(f"{command[0]} failed ({result['rc']}):\n{result['out']}")
    return Run(result["s"], result["mb"], result["out"])


def main() -> None:
    rows: list[tuple[int, Run, Run | None]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        for size in SIZES:
            work = Path(tmp) / str(size)
            work.mkdir()
            export = work / "export.xml"
            count = write_wxr(export, size // PER_POST, PER_POST, ORIGIN)
            assert count == size
            mine = ours(export, work)
            assert f"Read {size} comments" in mine.output, mine.output
            rows.append((size, mine, isso(export, work)))
            print(f"{size:,} comments: ours {mine.seconds:.1f} s, {mine.peak_mb:.0f} MB")
    RESULTS.write_text(report(rows))
    print(f"Written to {RESULTS.relative_to(ROOT)}.")


def report(rows: list[tuple[int, Run, Run | None]]) -> str:
    (small, small_run, _), (big, big_run, big_isso) = rows[0], rows[-1]
    growth = big_run.peak_mb / small_run.peak_mb
    passed = lambda ok: "**PASS**" if ok else "**FAIL**"  # noqa: E731
    lines = [
        "# Importing a big export",
        "",
        "`widget import` of generated WordPress exports (tests/support/generated_exports.py: "
        f"{PER_POST} comments per post, every fourth a reply, one in fifty held) into a fresh "
        "SQLite database, each in a process of its own; peak memory is that process's maximum "
        "resident set (getrusage). Isso 0.14's `isso import --type wordpress` of the same file "
        "is beside it where `make bench` installed Isso.",
        "",
        "- Command: `make bench-import`",
        f"- Date: {time.strftime('%Y-%m-%d')}",
        f"- Code: commit {_commit()}",
        f"- Machine: {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}",
        "",
        "## Targets",
        "",
        "| Target | Measured | Result |",
        "|---|--:|---|",
        f"| {big:,} comments imported in under {TARGET_SECONDS:.0f} s | {big_run.seconds:.1f} s "
        f"| {passed(big_run.seconds < TARGET_SECONDS)} |",
        f"| Peak memory at {big:,} within {TARGET_GROWTH}x of {small:,}'s (it does not grow "
        f"with the file) | {growth:.2f}x | {passed(growth <= TARGET_GROWTH)} |",
        "",
        "## Runs",
        "",
        "| Comments | Ours s | Ours comments/s | Ours peak MB | Isso s | Isso peak MB |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for size, mine, theirs in rows:
        isso_cells = f"{theirs.seconds:.1f} | {theirs.peak_mb:.0f}" if theirs else "n/a | n/a"
        lines.append(
            f"| {size:,} | {mine.seconds:.1f} | {size / mine.seconds:,.0f} | "
            f"{mine.peak_mb:.0f} | {isso_cells} |"
        )
    if big_isso:
        lines += ["", f"Ours ÷ Isso at {big:,} (time): {big_isso.seconds / big_run.seconds:.2f}x "
                  "faster."]  # fmt: skip
    return "\n".join(lines) + "\n"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    main()
