"""`widget export`: to standard output or to a file (whole or not at all), counts on stderr."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.support.exports import build_sample
from widget.exporters import FORMATS, wxr

WP = "{http://wordpress.org/export/1.2/}"
NS = "{http://disqus.com}"


@pytest.fixture
def cli(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["export", *args])


@pytest.fixture
def folder(tmp_path):  # type: ignore[no-untyped-def]
    """A folder of its own (tmp_path holds the test's database too)."""
    (tmp_path / "out").mkdir()
    return tmp_path / "out"


@pytest.fixture
def sample(make_site, make_comment):  # type: ignore[no-untyped-def]
    return build_sample(make_site, make_comment)


def test_export_to_standard_output(cli, sample):
    result = cli("--site", sample.site.key, "--format", "wxr")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout_bytes)
    assert len(list(root.iter(f"{WP}comment"))) == len(sample.comments)
    assert result.stderr == ""


def test_export_to_a_file_says_what_it_wrote(cli, sample, folder):
    target = folder / "comments.xml"
    result = cli("--site", sample.site.key, "--format", "disqus", "--output", str(target))
    assert result.exit_code == 0, result.output
    root = ET.parse(target).getroot()
    assert len(root.findall(f"{NS}post")) == len(sample.comments)
    assert result.stdout == ""
    assert f"2 threads, {len(sample.comments)} comments" in result.stderr
    assert str(target) in result.stderr
    assert [p.name for p in folder.iterdir()] == ["comments.xml"]


def test_an_unknown_site_key_is_named(cli, sample, folder):
    target = folder / "out.xml"
    result = cli("--site", "no-such-key", "--format", "wxr", "--output", str(target))
    assert result.exit_code == 2
    assert "no-such-key" in result.output and "No site has that key" in result.output
    assert not target.exists()


def test_an_unknown_format_is_refused(cli, sample):
    result = cli("--site", sample.site.key, "--format", "csv")
    assert result.exit_code == 2
    assert "csv" in result.output and "wxr" in result.output


def test_a_missing_folder_is_named(cli, sample, folder):
    target = folder / "nowhere" / "out.xml"
    result = cli("--site", sample.site.key, "--format", "wxr", "--output", str(target))
    assert result.exit_code == 2
    assert "nowhere" in result.output


def test_a_failed_export_leaves_the_old_file_as_it_was(cli, sample, folder, monkeypatch):
    target = folder / "comments.xml"
    target.write_bytes(b"yesterday's export")
    real_comment = wxr._comment

    def fail_on_the_third(xml, comment):  # type: ignore[no-untyped-def]
        if comment.id == sample.comments["deep"].id:
            raise RuntimeError("the disk is full")
        real_comment(xml, comment)

    monkeypatch.setattr(wxr, "_comment", fail_on_the_third)
    result = cli("--site", sample.site.key, "--format", "wxr", "--output", str(target))
    assert result.exit_code != 0
    assert target.read_bytes() == b"yesterday's export"
    assert [p.name for p in folder.iterdir()] == ["comments.xml"]


def test_every_format_has_an_extension_a_type_and_a_writer_module():
    assert set(FORMATS) == {"wxr", "disqus", "json"}
    assert FORMATS["json"].module == "json_backup" and FORMATS["json"].extension == "json"
    assert FORMATS["wxr"].extension == FORMATS["disqus"].extension == "xml"
    assert FORMATS["wxr"].writer() is wxr.write
