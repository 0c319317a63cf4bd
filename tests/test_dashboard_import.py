"""Importing from the dashboard: an owner uploads an export file, the import runs in the
background with its progress on a page of its own, and ends with the same report as the
command line's."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.blog import BLOG
from tests.support.dashboard import Dashboard, make_owner, signed_in
from widget import owners
from widget.extensions import db
from widget.models import Comment, ImportJob
from widget.sites import create_site

WXR = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old blog</title><link>{BLOG}</link><wp:wxr_version>1.2</wp:wxr_version>
<item><title>First post</title><link>{BLOG}/2014/first/</link><wp:post_id>7</wp:post_id>
  <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author><![CDATA[Ann]]></wp:comment_author>
    <wp:comment_author_email>ann@example.com</wp:comment_author_email>
    <wp:comment_date_gmt>2014-05-01 10:00:00</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[Nice post]]></wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
  <wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author><![CDATA[Bob]]></wp:comment_author>
    <wp:comment_date_gmt>2014-05-02 10:00:00</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[Thanks Ann]]></wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>1</wp:comment_parent></wp:comment>
</item></channel></rss>
"""


def upload(dashboard: Dashboard, site_id: int, content: bytes, **fields: str):  # type: ignore[no-untyped-def]
    data = {"file": (io.BytesIO(content), "export.xml"), "format": "auto"} | fields
    return dashboard.post(
        f"/dashboard/sites/{site_id}/import", data=data, content_type="multipart/form-data"
    )


def finished(job_id: int) -> ImportJob:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        assert job is not None
        if job.state in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the import did not end in 20 s")


def job_id_of(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_an_owner_uploads_an_export_and_watches_it_import(client, site):
    dashboard = signed_in(client, site)
    assert "Import comments" in dashboard.text(f"/dashboard/sites/{site.id}/import")
    job_id = job_id_of(upload(dashboard, site.id, WXR.encode()))
    job = finished(job_id)
    assert job.state == "done", job.error
    page = dashboard.text(f"/dashboard/sites/{site.id}/imports/{job_id}")
    assert "Imported: 2 published, 0 held, 0 spam, 0 deleted." in page
    assert 'http-equiv="refresh"' not in page  # it stops updating itself once done
    reply = db.session.scalar(select(Comment).where(Comment.body == "Thanks Ann"))
    assert reply is not None and reply.parent_id is not None
    # The upload is not kept once imported.
    assert not list((Path(client.application.instance_path) / "imports").iterdir())
    again = finished(job_id_of(upload(dashboard, site.id, WXR.encode())))
    assert again.report["already"] == 2
    assert db.session.scalar(select(func.count(Comment.id))) == 2


def test_a_check_only_import_writes_nothing(client, site):
    dashboard = signed_in(client, site)
    job = finished(job_id_of(upload(dashboard, site.id, WXR.encode(), dry_run="y")))
    assert job.state == "done" and job.report["imported"] == {"published": 2}
    page = dashboard.text(f"/dashboard/sites/{site.id}/imports/{job.id}")
    assert "Checked: nothing was written" in page
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_a_broken_file_fails_with_where_and_writes_nothing(client, site):
    dashboard = signed_in(client, site)
    broken = WXR.encode()[: len(WXR) - 40]
    job = finished(job_id_of(upload(dashboard, site.id, broken, format="wordpress")))
    assert job.state == "failed" and "line " in job.error and "column " in job.error
    page = dashboard.text(f"/dashboard/sites/{site.id}/imports/{job.id}")
    assert "The import failed" in page
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_a_bad_mapping_is_shown_on_its_field_and_starts_nothing(client, site):
    dashboard = signed_in(client, site)
    response = upload(dashboard, site.id, WXR.encode(), maps="not a mapping")
    assert response.status_code == 400
    assert "give OLD=NEW" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_an_upload_over_the_limit_is_refused(make_app):
    app = make_app(WIDGET_IMPORT_MAX_MB=0.01)
    with app.app_context():
        site = create_site("Blog", [BLOG])
        dashboard = signed_in(app.test_client(), site)
        response = upload(dashboard, site.id, b"x" * 20_000)
        assert response.status_code == 413


@pytest.mark.parametrize("role", ["moderator", None])
def test_only_the_sites_owners_may_import(client, site, role):
    other = make_owner("other@example.com")
    if role:
        owners.add_site(other, site, role=role)
    dashboard = Dashboard(client)
    assert dashboard.sign_in("other@example.com").status_code == 302
    expected = 403 if role else 404
    assert dashboard.get(f"/dashboard/sites/{site.id}/import").status_code == expected
    assert upload(dashboard, site.id, WXR.encode()).status_code == expected


def test_any_other_dashboard_form_over_the_usual_limit_is_a_413_page(client, site):
    dashboard = signed_in(client, site)
    response = dashboard.post(f"/dashboard/sites/{site.id}/settings", {"name": "x" * 300_000})
    assert response.status_code == 413
    assert "Sorry" in response.get_data(as_text=True)
