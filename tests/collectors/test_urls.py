"""URL canonicalisation."""

from __future__ import annotations

import pytest

from collectors.urls import absolute_http_url, canonical_url, comment_url, is_same_site


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/a/b/", "http://example.com/a/b/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?utm_source=rss&utm_medium=rss&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=x&gclid=y", "https://example.com/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a/#comment-42", "https://example.com/a/#comment-42"),
        (
            "https://example.com/a.html?showComment=1#c9001",
            "https://example.com/a.html?showComment=1#c9001",
        ),
        ("  https://example.com/x  ", "https://example.com/x"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("HTTPS://Ex.com:443/p/?utm_campaign=z&q=1#comment-3")
    assert canonical_url(once) == once == "https://ex.com/p/?q=1#comment-3"


def test_comment_url_replaces_any_fragment() -> None:
    assert comment_url("https://ex.com/p/#respond", "7") == "https://ex.com/p/#comment-7"


def test_absolute_http_url_and_same_site() -> None:
    assert absolute_http_url("https://ex.com/a/b", "../c") == "https://ex.com/c"
    assert absolute_http_url("https://ex.com/", "mailto:x@ex.com") is None
    assert absolute_http_url("https://ex.com/", "javascript:void(0)") is None
    assert absolute_http_url("https://ex.com/", "  ") is None
    assert is_same_site("https://www.ex.com/a", "https://ex.com/b")
    assert not is_same_site("https://ex.com:8080/a", "https://ex.com/b")
    assert not is_same_site("https://other.com/", "https://ex.com/")
