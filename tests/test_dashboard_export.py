"""Downloading a site's comments from its settings page: an attachment named for the site and
the day, for the site's owners only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.support.dashboard import Dashboard, make_owner, signed_in
from tests.support.exports import build_sample
from widget import owners
from widget.exporters import wxr
from widget.models import utcnow

WP = "{http://wordpress.org/export/1.2/}"
NS = "{http://disqus.com}"


@pytest.fixture
def sample(make_site, make_comment):  # type: ignore[no-untyped-def]
    return build_sample(make_site, make_comment)


def url(site, format: str = "wxr") -> str:  # type: ignore[no-untyped-def]
    return f"/dashboard/sites/{site.id}/export?format={format}"


def test_the_owner_downloads_the_wxr_file(client, sample):
    dashboard = signed_in(client, sample.site)
    response = dashboard.get(url(sample.site))
    assert response.status_code == 200
    day = utcnow().date().isoformat()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"{sample.site.key}-comments-{day}-wordpress.xml" in disposition
    assert response.mimetype == "application/xml"
    assert response.headers["Cache-Control"] == "no-store"
    root = ET.fromstring(response.get_data())
    assert len(list(root.iter(f"{WP}comment"))) == len(sample.comments)


def test_the_owner_downloads_the_disqus_file(client, sample):
    dashboard = signed_in(client, sample.site)
    response = dashboard.get(url(sample.site, "disqus"))
    assert response.status_code == 200
    assert "-disqus.xml" in response.headers["Content-Disposition"]
    root = ET.fromstring(response.get_data())
    assert len(root.findall(f"{NS}post")) == len(sample.comments)


def test_the_settings_page_offers_the_three_formats(client, sample):
    page = signed_in(client, sample.site).text(f"/dashboard/sites/{sample.site.id}/settings")
    assert "Export comments" in page
    for name in ("wxr", "disqus", "json"):
        assert f"/dashboard/sites/{sample.site.id}/export?format={name}" in page


def test_an_unknown_format_is_a_400_that_names_the_choices(client, sample):
    response = signed_in(client, sample.site).get(url(sample.site, "csv"))
    assert response.status_code == 400
    assert "wxr, disqus, json" in response.get_data(as_text=True)


def test_a_signed_out_visitor_is_sent_to_sign_in(client, sample):
    response = client.get(url(sample.site))
    assert response.status_code == 302
    assert "/dashboard/login" in response.headers["Location"]


def test_the_owner_of_another_site_gets_404(client, sample, make_site):
    other = make_site(name="Other", origins=["https://other.example"])
    dashboard = signed_in(client, other, email="other@example.com")
    response = dashboard.get(url(sample.site))
    assert response.status_code == 404
    assert "<wp:comment" not in response.get_data(as_text=True)


def test_a_moderator_of_the_site_gets_403(client, sample):
    moderator = make_owner("mod@example.com")
    owners.add_site(moderator, sample.site, role="moderator")
    dashboard = Dashboard(client)
    dashboard.sign_in("mod@example.com")
    assert dashboard.get(url(sample.site)).status_code == 403


def test_a_failure_half_way_is_an_error_not_a_truncated_file(client, sample, monkeypatch):
    dashboard = signed_in(client, sample.site)

    def broken(xml, comment):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(wxr, "_comment", broken)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = dashboard.get(url(sample.site))
    assert response.status_code == 500
    assert "Content-Disposition" not in response.headers
