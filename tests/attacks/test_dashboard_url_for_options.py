"""Crafted query parameters on the dashboard's lists.

The lists' pager builds its links from the page's own query string with `url_for`, which reads
`_method`, `_external`, `_scheme` and `_anchor` as options of its own, and `endpoint` as its
first argument: `?_method=X` raised a BuildError (a 500), `?_external=1` made the links absolute
on whatever Host the request named. They are refused with the dashboard's error page, and the
pager carries only the lists' own parameters.
"""

from __future__ import annotations

import pytest

from tests.support.blog import BLOG
from tests.support.dashboard import signed_in

LISTS = ["/dashboard/sites/{id}/", "/dashboard/sites/{id}/queue"]
CRAFTED = [
    {"_method": "PATCH"},
    {"_method": ""},
    {"_external": "1"},
    {"_external": "1", "_scheme": "javascript"},
    {"_scheme": "ftp"},
    {"_anchor": "x"},
    {"endpoint": "dashboard.home"},
]


@pytest.fixture
def busy_site(site, make_comment):  # type: ignore[no-untyped-def]
    """More threads and pending comments than one page of a list holds, so the pager shows."""
    site.moderation = "all"
    for n in range(51):
        make_comment(site, url=f"{BLOG}/p{n}/")
    return site


@pytest.mark.parametrize("path", LISTS)
def test_url_for_options_in_a_list_query_are_a_400(client, busy_site, path):
    dashboard = signed_in(client, busy_site)
    for args in CRAFTED:
        response = dashboard.get(path.format(id=busy_site.id), query_string={"page": "1"} | args)
        assert response.status_code == 400, args
        page = response.get_data(as_text=True)
        assert "is not a parameter" in page, args
        assert 'class="pager"' not in page, args


@pytest.mark.parametrize("path", LISTS)
def test_the_pager_keeps_only_the_lists_own_parameters(client, busy_site, path):
    dashboard = signed_in(client, busy_site)
    query = {"sort": "count", "q": "p", "page": "1", "site_id": "999", "utm_source": "x"}
    response = dashboard.get(path.format(id=busy_site.id), query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    nav = page[page.index('class="pager"') :]
    link = nav[nav.index('href="') + 6 :].split('"', 1)[0]
    assert link.startswith(f"/dashboard/sites/{busy_site.id}/")
    assert "page=2" in link
    assert "utm_source" not in link and "999" not in link
