"""docs/configuration.md describes the settings table of widget/config.py, no more, no less."""

import re
from pathlib import Path

from widget.auth.providers import provider_settings_from_env
from widget.config import SETTINGS

DOC = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
NAME = re.compile(r"WIDGET_[A-Z0-9_]*[A-Z0-9]")
ROW = re.compile(r"^\| (`WIDGET_[^|]*) \| ([^|]*) \|", re.MULTILINE)


def documented_defaults() -> dict[str, str]:
    """Each setting a table row of the page names first, with the row's default column."""
    return {
        name: default.strip() for names, default in ROW.findall(DOC) for name in NAME.findall(names)
    }


def test_every_setting_of_the_table_is_documented():
    rows = documented_defaults()
    assert [s.name for s in SETTINGS if s.name not in rows] == []


def test_every_setting_the_page_names_exists():
    """A name the page mentions is a setting of the table, or one of a sign-in provider's."""
    named = set(NAME.findall(DOC))
    declared = {s.name for s in SETTINGS}
    of_providers = set(provider_settings_from_env(dict.fromkeys(named - declared, "x")))
    assert sorted(named - declared - of_providers) == []


def test_the_page_shows_each_default_the_table_declares():
    """Settings without a default of their own (unset, derived) are described in words."""
    rows = documented_defaults()
    shown = {s.name: rows.get(s.name) for s in SETTINGS if s.default}
    assert shown == {s.name: f"`{s.default}`" for s in SETTINGS if s.default}
