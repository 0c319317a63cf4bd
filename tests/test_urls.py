import pytest

from widget.urls import BadURL, normalize_origin, normalize_page_url, origin_of


@pytest.mark.parametrize(
    "variant",
    [
        "https://blog.example.com/post/",
        "https://blog.example.com/post/#comments",
        "https://blog.example.com/post/?utm_source=x&utm_medium=social",
        "https://BLOG.Example.COM/post/",
        "https://blog.example.com:443/post/",
        "https://blog.example.com/post/?fbclid=abc#top",
        "https://blog.example.com/post/?gclid=1&utm_campaign=z",
        "  https://blog.example.com/post/  ",
    ],
)
def test_variants_of_one_page_share_a_key(variant):
    assert normalize_page_url(variant) == "https://blog.example.com/post/"


def test_meaningful_query_is_kept_and_sorted():
    assert (
        normalize_page_url("https://b.example/?p=2&a=1&utm_source=x")
        == "https://b.example/?a=1&p=2"
    )


def test_non_default_port_is_kept_and_default_dropped():
    assert normalize_page_url("http://b.example:8080/x") == "http://b.example:8080/x"
    assert normalize_page_url("http://b.example:80/x") == "http://b.example/x"


def test_empty_path_becomes_slash():
    assert normalize_page_url("https://b.example") == "https://b.example/"


def test_path_case_is_kept():
    assert normalize_page_url("https://b.example/Post") == "https://b.example/Post"


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://b.example/",
        "//b.example/x",
        "/relative",
        "",
        "   ",
        "https://",
        "https://user:pw@b.example/",
        "https://b.example/\x00",
        "https://b.example:99999/",
        "https://b.example/" + "a" * 2100,
        None,
        42,
    ],
)
def test_bad_urls_are_refused(bad):
    with pytest.raises(BadURL):
        normalize_page_url(bad)


def test_origin_is_normalised():
    assert normalize_origin("HTTPS://Blog.Example.com:443/") == "https://blog.example.com"
    assert normalize_origin("http://127.0.0.2:8001") == "http://127.0.0.2:8001"


def test_origin_with_a_path_is_refused():
    with pytest.raises(BadURL, match="no path"):
        normalize_origin("https://blog.example.com/blog")


def test_origin_of_a_page():
    assert origin_of("https://Blog.example.com:443/a/b?c#d") == "https://blog.example.com"
