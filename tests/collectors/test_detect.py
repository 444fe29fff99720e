"""Source kind detection."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from collectors.detect import detect_kind, detect_kind_from_response, detect_kind_from_url
from collectors.document import FetchState
from collectors.fetching import Response
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import FixtureServer, Reply

Start = Callable[..., FixtureServer]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.reddit.com/r/python/", "reddit"),
        ("https://old.reddit.com/r/python/comments/abc/x/", "reddit"),
        ("https://reddit.com/r/x/new", "reddit"),
        ("https://news.ycombinator.com/item?id=1", "hackernews"),
        ("https://hn.algolia.com/api/v1/search?query=acme", "hackernews"),
        ("https://notreddit.com/r/x", None),
        ("https://blog.example/", None),
    ],
)
def test_kind_from_url(url: str, kind: str | None) -> None:
    assert detect_kind_from_url(url) == kind


def response(body: bytes, content_type: str = "text/html") -> Response:
    return Response("https://s.example/", 200, {"content-type": content_type}, body, FetchState())


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b"anything", "application/rss+xml; charset=UTF-8", "rss"),
        (b"anything", "application/atom+xml", "rss"),
        (b'<?xml version="1.0"?>\n<!-- generator --><rss version="2.0">', "text/xml", "rss"),
        (
            b'\xef\xbb\xbf<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">',
            "application/xml",
            "rss",
        ),
        (
            b'<?xml version="1.0"?><?xml-stylesheet href="s.xsl"?><rdf:RDF xmlns:rdf="x">',
            "text/xml",
            "rss",
        ),
        (
            b'<html><head><meta name="generator" content="Discourse 3.2.1 - https://github.com/discourse/discourse">',
            "text/html",
            "discourse",
        ),
        (b"<html><head><title>Blog</title></head></html>", "text/html", None),
        (b'<?xml version="1.0"?><urlset>', "application/xml", None),
    ],
)
def test_kind_from_response(body: bytes, content_type: str, kind: str | None) -> None:
    assert detect_kind_from_response(response(body, content_type)) == kind


@pytest.mark.anyio
async def test_detect_kind_over_http(fixture_server: Start) -> None:
    forum = fixture_server(
        {
            "/": Reply(200, b"<html><body>Forum</body></html>", {"Content-Type": "text/html"}),
            "/latest.json": Reply(200, b'{"users": [], "topic_list": {"topics": []}}'),
        }
    )
    blog = fixture_server({"/": Reply(200, b"<html><body>Blog</body></html>")})
    feed = fixture_server(
        {"/feed": Reply(200, b'<rss version="2.0"></rss>', {"Content-Type": "text/xml"})}
    )
    async with build_fetcher(FetchOptions("t/1", allow_private_networks=True)) as fetcher:
        assert await detect_kind(fetcher, forum.url("/")) == "discourse"
        assert await detect_kind(fetcher, blog.url("/")) == "blog"
        assert await detect_kind(fetcher, feed.url("/feed")) == "rss"
    assert feed.requests_for("/latest.json") == []
