"""Exports of one site: WordPress's WXR and Disqus's XML, which other comment systems read, and
this service's own JSON, a complete backup that `widget import --format json` restores.

Every format is a module with `write(site, out) -> counts`, named in FORMATS; the command line
(commands.py) and the dashboard's download both go through `export`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO, cast

from ..models import Site

Writer = Callable[[Site, BinaryIO], dict[str, int]]


@dataclass(frozen=True)
class Format:
    name: str
    label: str  # what the dashboard calls it
    module: str  # the module in this package that writes it, imported when first used
    suffix: str  # the end of the file's name, its extension included
    mimetype: str

    @property
    def extension(self) -> str:
        return self.suffix.rsplit(".", 1)[1]

    def writer(self) -> Writer:
        module = importlib.import_module(f"{__name__}.{self.module}")
        return cast(Writer, module.write)

    def filename(self, site: Site, day: date) -> str:
        """What a download of this export is called: `<key>-comments-2026-12-03-wordpress.xml`."""
        return f"{site.key}-comments-{day.isoformat()}{self.suffix}"


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("wxr", "WordPress (WXR)", "wxr", "-wordpress.xml", "application/xml"),
        Format("disqus", "Disqus", "disqus", "-disqus.xml", "application/xml"),
        Format("json", "Full backup (JSON)", "json_backup", ".json", "application/json"),
    )
}


def export(site: Site, name: str, out: BinaryIO) -> dict[str, int]:
    """Write the site's comments to `out` in the format named `name` (a key of FORMATS)."""
    return FORMATS[name].writer()(site, out)
