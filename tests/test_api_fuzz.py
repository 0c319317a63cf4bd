"""The JSON API fuzzed by schemathesis against its own OpenAPI document.

Valid and invalid requests, generated from /api/v1/openapi.json, sent to the WSGI app: no answer
may be a 500, and every answer must have a documented status code, content type and shape.
Random strings almost never name a real site or one of its pages, so some of the generated
requests are steered onto a real site key, a page under its origin and a well-formed guest:
otherwise only the first check (unknown site) would ever be fuzzed.
"""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from tests.support.blog import BLOG, PAGE
from widget.api.openapi import openapi_document
from widget.comments.services import NewComment, post_comment
from widget.sites import create_site

SITE_KEY = "fuzzed-site"
MAX_EXAMPLES = 50  # per operation and mode: enough to find the common faults in seconds
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Paths under the site's origin, the odd ones included: what follows the origin is the reader's.
PAGE_URLS = st.one_of(
    st.just(PAGE),
    st.text(max_size=40).map(lambda tail: f"{BLOG}/{tail}"),
    st.sampled_from([f"{PAGE}?utm_source=x#comment-1", f"{BLOG}:443/?b=2&a=1", f"{BLOG}/%00"]),
)
GUEST = st.fixed_dictionaries(
    {
        "author_name": st.just("Ann Reader"),
        "author_email": st.just("ann@example.com"),
        "author_url": st.sampled_from(["", "ann.example", "https://ann.example/a", "javascript:x"]),
        "parent_id": st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
    }
)


def _on_the_site(data: Any, guest: bool = False) -> st.SearchStrategy[Any]:
    """A generated object as it is, or moved onto the fuzzed site and one of its pages, and (for
    a comment) with a well-formed guest too, so that posting gets past its first checks."""
    if not isinstance(data, dict):
        return st.just(data)
    # Where the URL is a list (counts for several pages), a list of them.
    urls = st.lists(PAGE_URLS, max_size=5) if isinstance(data.get("url"), list) else PAGE_URLS
    steered = st.builds(lambda url: data | {"site": SITE_KEY, "url": url}, urls)
    if not guest:
        return st.one_of(st.just(data), steered)
    with_guest = st.builds(lambda moved, fields: moved | fields, steered, GUEST)
    return st.sampled_from([0, 1, 2, 2]).flatmap(lambda n: [st.just(data), steered, with_guest][n])


@pytest.fixture
def api_schema(app: Flask) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, with a site that has a thread with a few comments."""
    create_site("Fuzzed blog", [BLOG], key=SITE_KEY)
    for n in range(3):
        post_comment(NewComment(SITE_KEY, PAGE, f"Comment {n}", "Ann", "ann@example.com"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @schema.hook
    def flatmap_query(context: Any, query: Any) -> st.SearchStrategy:
        return _on_the_site(query)

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
        return _on_the_site(body, guest=True)

    return schema


# Listed from the document itself, so a new operation is fuzzed without a change here.
OPERATIONS = [
    (method.upper(), path)
    for path, item in openapi_document("https://comments.example.net")["paths"].items()
    for method in item
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_api_answers_as_documented(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    # Hypothesis directly, not schemathesis's pytest plugin (which pytest 9 breaks).
    @given(case=api_schema[path][method].as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_as_documented(case: schemathesis.Case) -> None:
        # Uncompressed: the WSGI client does not decode gzip or brotli, as a browser would.
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    answers_as_documented()


# Found by fuzzing (schemathesis's run over undeclared methods), kept as plain tests.


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/api/v1/threads"), ("TRACE", "/api/v1/comments")]
)
def test_a_method_the_api_does_not_take_is_a_405_naming_the_ones_it_does(
    client: FlaskClient, method: str, path: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert allowed >= ({"GET"} if path.endswith("threads") else {"POST"})
