"""Hostile JSON bodies: nesting deep enough to exhaust the parser's stack, and strings that are
not text (a lone UTF-16 surrogate, a NUL), sent to every endpoint that reads a JSON body.

Each must be a 4xx with the API's usual `{"error": {...}}` body, and store nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.blog import guest
from widget.extensions import db
from widget.models import Comment, LoginAttempt

SERVICE = "https://comments.example.net"
IFRAME = {
    "X-Requested-With": "XMLHttpRequest",
    "Origin": SERVICE,
    "Content-Type": "application/json",
}
GITHUB = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret"}
ENDPOINTS = [
    "/api/v1/comments",
    "/api/v1/auth/attempts",
    "/api/v1/auth/attempts/0123456789abcdef/redeem",
    "/api/v1/session/resume",
]
# 100,000 levels of `[`; an object level takes 5 bytes, so fewer fit under the 256 KiB limit.
DEEP = {"[": 100_000, '{"a":': 40_000}


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    app = make_app(**GITHUB)
    with app.app_context():
        yield app


def post_raw(client, path: str, body: str | bytes):  # type: ignore[no-untyped-def]
    return client.post(path, data=body, headers=IFRAME)


def assert_json_refusal(response) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    error = response.json["error"]
    assert error["code"] and error["message"]


def stored() -> tuple[int, int]:
    count = func.count()
    return (
        db.session.scalar(select(count).select_from(Comment)),
        db.session.scalar(select(count).select_from(LoginAttempt)),
    )


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_json_nested_a_hundred_thousand_deep_is_a_400(client, site, path, opener):
    closer, depth = ("]" if opener == "[" else "}"), DEEP[opener]
    response = post_raw(client, path, opener * depth + "1" + closer * depth)
    assert_json_refusal(response)
    assert response.status_code == 400
    assert stored() == (0, 0)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_field_nested_deeper_than_any_request_needs_is_a_400(client, site, path):
    # Shallow enough for the parser, deep enough to break whatever walks it later.
    nested = "[" * 900 + "]" * 900
    response = post_raw(client, path, f'{{"site": "{site.key}", "body": {nested}}}')
    assert_json_refusal(response)
    assert response.status_code == 400


STRING_FIELDS = ["site", "url", "title", "body", "author_name", "author_email",
                 "author_website", "parent_id", "form_token", "hp"]  # fmt: skip


@pytest.mark.parametrize("field", STRING_FIELDS)
def test_a_string_that_is_not_text_in_any_comment_field_is_a_400(client, site, field):
    payload = guest(site, author_website="https://ann.example")
    for bad in ["\\ud800", "\\udfff", "a\\ud83dz", "\\u0000"]:
        # Built by hand: Python's json would refuse to write a lone surrogate as we want it sent.
        members = [f'"{k}": "{v}"' for k, v in payload.items() if k != field]
        members.append(f'"{field}": "x{bad}y"')
        response = post_raw(client, "/api/v1/comments", "{" + ", ".join(members) + "}")
        assert_json_refusal(response)
        assert response.status_code == 400, bad
    assert stored() == (0, 0)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("bad", ["\\ud800", "\\u0000"])
def test_a_string_that_is_not_text_in_a_sign_in_body_is_a_400(client, site, path, bad):
    body = (
        f'{{"site": "{site.key}", "provider": "github", "challenge": "c{bad}",'
        f' "verifier": "v{bad}"}}'
    )
    response = post_raw(client, path, body)
    assert_json_refusal(response)
    assert stored() == (0, 0)


def test_a_lone_surrogate_as_a_key_is_a_400(client, site):
    response = post_raw(client, "/api/v1/comments", '{"\\ud800": 1, "site": "' + site.key + '"}')
    assert_json_refusal(response)
    assert response.status_code == 400


def test_utf8_encoded_surrogate_bytes_are_refused(client, site):
    response = post_raw(client, "/api/v1/comments", b'{"site": "\xed\xa0\x80"}')
    assert_json_refusal(response)
