"""A site's settings, as the one service that the dashboard and the CLI call checks them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.blog import BLOG
from widget.errors import Rejected
from widget.extensions import db
from widget.models import Site
from widget.sites import create_site, snippet, update_site


def settings(**changes: Any) -> dict[str, Any]:
    base = {
        "name": "Blog", "origins": [BLOG], "moderation": "off", "link_limit": 2,
        "guests_allowed": True, "disabled_providers": [], "held_words": [], "theme": "auto",
    }  # fmt: skip
    return base | changes


def test_new_sites_are_checked_like_changed_ones(app):
    with pytest.raises(Rejected) as refused:
        create_site("Blog", ["https://blog.example/a/path"])
    assert refused.value.field == "origins"
    with pytest.raises(Rejected) as refused:
        create_site("Blog", [BLOG], moderation="sometimes")
    assert refused.value.field == "moderation"
    assert db.session.scalar(db.select(Site)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Two\nlines"}, "name"),
        ({"origins": []}, "origins"),
        ({"origins": ["ftp://x.example"]}, "origins"),
        ({"moderation": "sometimes"}, "moderation"),
        ({"link_limit": 101}, "link_limit"),
        ({"link_limit": None}, "link_limit"),
        ({"theme": "sepia"}, "theme"),
        ({"reply_depth": 11}, "reply_depth"),
    ],
)
def test_a_bad_setting_changes_nothing(site, changes, field):
    with pytest.raises(Rejected) as refused:
        update_site(site, **settings(name="Renamed", held_words=["casino"]) | changes)
    assert refused.value.field == field
    db.session.rollback()
    assert (site.name, site.held_words) == ("Blog", [])


def test_settings_are_kept_trimmed_and_without_repeats(site):
    words = ["casino", " casino ", "", "x" * 150]
    update_site(site, **settings(origins=[BLOG, BLOG + "/"], held_words=words, reply_depth=3))
    assert site.origin_list == [BLOG]
    assert site.held_words == ["casino", "x" * 100]
    assert site.reply_depth == 3


def test_no_reply_depth_keeps_the_sites(site):
    update_site(site, **settings())
    assert site.reply_depth == 5


def test_the_snippet_names_the_service_and_the_site(site):
    assert snippet(site) == (
        '<div id="comments"></div>\n'
        f'<script async src="https://comments.example.net/embed.js" data-site="{site.key}">'
        "</script>"
    )
