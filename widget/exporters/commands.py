"""`widget export`: a site's comments as WXR, Disqus XML or the JSON backup, to a file or to
standard output."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

import click

from ..errors import Rejected
from ..models import Site
from ..sites import get_site
from . import FORMATS, export


def _site(key: str) -> Site:
    try:
        return get_site(key)
    except Rejected as exc:
        raise click.UsageError(f"--site {key}: {exc.message}") from exc


def summary(counts: dict[str, int]) -> str:
    """ "3 threads, 12 comments": what an export wrote."""
    return ", ".join(f"{count:,} {what}" for what, count in counts.items())


def export_to_file(site: Site, name: str, path: Path) -> dict[str, int]:
    """Export into `path`, which holds the whole export or is left as it was: the file is
    written beside it and renamed over it only once complete."""
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            counts = export(site, name, out)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return counts


@click.command("export")
@click.option("--site", "site_key", required=True, help="The key of the site to export.")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FORMATS)),
    required=True,
    help="wxr: WordPress (and Isso) import it; disqus: Disqus's export, for Isso, Remark42, "
    "Schnack; json: this service's complete backup.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write (standard output if none, or '-').",
)
def export_command(site_key: str, format_name: str, output: Path | None) -> None:
    """Export a site's threads and comments, every status included."""
    site = _site(site_key)
    if output is None or str(output) == "-":
        export(site, format_name, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    if not output.parent.is_dir():
        raise click.UsageError(f"--output {output}: there is no folder {output.parent}.")
    counts = export_to_file(site, format_name, output)
    click.echo(f"Exported {summary(counts)} to {output}.", err=True)
