"""GET /api/v1/threads on a thread bigger than one page: every comment must be reachable, a page
at a time, through an opaque cursor; a forged or broken cursor, or a limit out of bounds, is a
400 naming the parameter, never a 500 nor a page of someone else's choosing."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import insert

from tests.support.blog import PAGE
from widget.extensions import db
from widget.models import Comment, Thread, utcnow

TOPS = 120


@pytest.fixture
def thread_of_120(site):  # type: ignore[no-untyped-def]
    """120 top-level comments, every tenth with a reply; a few share the same second."""
    thread = Thread(site_id=site.id, url_key=PAGE, url=PAGE, title="Busy", published_count=132)
    db.session.add(thread)
    db.session.flush()
    start = utcnow() - timedelta(days=1)
    common = {"thread_id": thread.id, "author_name": "R", "body": "b", "status": "published"}
    tops, replies = [], []
    for n in range(TOPS):
        when = start + timedelta(seconds=n // 3)
        tops.append(common | {"id": 1000 + n, "html": f"<p>{n}</p>", "created_at": when})
    for n in range(0, TOPS, 10):
        late = start + timedelta(hours=1)
        reply = {"id": 5000 + n, "parent_id": 1000 + n, "root_id": 1000 + n, "created_at": late}
        replies.append(common | reply | {"html": "<p>re</p>"})
    db.session.execute(insert(Comment), tops + replies)
    db.session.commit()
    return [t["id"] for t in tops], [r["id"] for r in replies]


def threads(client, site, **params):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE} | params)


def test_every_comment_is_reachable_through_the_cursor(client, site, thread_of_120):
    tops, replies = thread_of_120
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        answer = threads(client, site, **({"cursor": cursor} if cursor else {})).json
        seen += [c["id"] for c in answer["comments"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(tops + replies)
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in set(tops)] == tops  # oldest first, ties by id


def test_the_first_page_says_where_the_next_begins(client, site, thread_of_120):
    answer = threads(client, site).json
    assert len([c for c in answer["comments"] if c["parent_id"] is None]) == 50
    assert isinstance(answer["next_cursor"], str)
    assert answer["thread"]["count"] == 132


def test_a_limit_sets_the_page_size(client, site, thread_of_120):
    tops, _ = thread_of_120
    answer = threads(client, site, limit=7).json
    assert [c["id"] for c in answer["comments"] if c["parent_id"] is None] == tops[:7]
    after = threads(client, site, limit=7, cursor=answer["next_cursor"]).json
    assert [c["id"] for c in after["comments"] if c["parent_id"] is None] == tops[7:14]


def test_a_limit_out_of_bounds_is_refused(client, site, thread_of_120):
    for limit in ["0", "101", "-1", "ten", "1e3", ""]:
        response = threads(client, site, limit=limit)
        assert response.status_code == 400, limit
        assert response.json["error"]["field"] == "limit", limit


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BROKEN_CURSORS = (
    [
        "garbage",
        "%%%",
        _b64(b"not json"),
        _b64(b'{"t": "2026-01-01T00:00:00Z"}'),
        _b64(b'["2026-13-45T00:00:00Z", 1]'),
        _b64(b'["2026-01-01T00:00:00Z", "1 OR 1=1"]'),
        _b64(b'["2026-01-01T00:00:00Z", -1]'),
        "A" * 5000,
    ],
)


def test_a_broken_cursor_is_a_400_naming_it(client, site, thread_of_120):
    for cursor in BROKEN_CURSORS:
        response = threads(client, site, cursor=cursor)
        assert response.status_code == 400, cursor
        assert response.json["error"]["field"] == "cursor", cursor


def test_the_last_page_has_no_next_cursor(client, site, make_comment):
    make_comment(site)
    assert threads(client, site).json["next_cursor"] is None
    answer = client.get("/api/v1/threads", query_string={"site": site.key, "url": PAGE + "new/"})
    assert answer.json["next_cursor"] is None and answer.json["comments"] == []


def test_the_api_document_describes_the_cursor(client):
    doc = client.get("/api/v1/openapi.json").json
    params = {p["name"] for p in doc["paths"]["/threads"]["get"]["parameters"]}
    assert {"cursor", "limit"} <= params
    assert "next_cursor" in doc["components"]["schemas"]["Thread"]["required"]
