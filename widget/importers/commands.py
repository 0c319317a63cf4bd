"""`widget import`: a file of comments from another system, or this service's backup, into a
site."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import Rejected
from ..sites import get_site
from .formats import FORMATS, detect
from .pages import parse_mapping
from .records import ParseError
from .store import Options, Progress, import_file


@click.command("import")
@click.option("--site", "site_key", required=True, help="The key of the site to import into.")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="The file's format; auto tells it from the file.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="OLD=NEW",
    help="Pages under OLD (an origin, URL prefix or /path/ prefix) are now under NEW. Repeatable.",
)
@click.option("--pings", is_flag=True, help="Import pingbacks and trackbacks as comments.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(
    site_key: str, format_name: str, maps: tuple[str, ...], pings: bool, dry_run: bool, file: Path
) -> None:
    """Import the comments in FILE (a WordPress or Disqus export, Isso's comments.db, or this
    service's JSON backup). Running it again adds nothing."""
    try:
        site = get_site(site_key)
    except Rejected:
        raise click.UsageError(f"--site: no site has the key {site_key!r}.") from None
    try:
        mappings = [parse_mapping(m) for m in maps]
    except ValueError as exc:
        raise click.UsageError(f"--map {exc}") from None
    try:
        fmt = detect(file) if format_name == "auto" else FORMATS[format_name]
        report = import_file(
            site, file, fmt, Options(mappings, dry_run=dry_run, pings=pings), _progress()
        )
    except ParseError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    except Rejected as exc:
        problem = f"{file.name}: the backup's {exc.field}: {exc.message}"
        raise click.ClickException(problem) from None
    for line in report.lines():
        click.echo(line)


def _progress() -> Progress | None:
    """A line that counts on a terminal, nothing when the output goes to a file."""
    if not sys.stderr.isatty():
        return None

    def show(phase: str, done: int, total: int | None) -> None:
        if phase == "read":
            click.echo(f"\rReading: {done} comments", nl=False, err=True)
        elif total:
            width = 30
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            click.echo(f"\rStoring: [{bar}] {done}/{total}   ", nl=False, err=True)
            if done >= total:
                click.echo(err=True)

    return show
