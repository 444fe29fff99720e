"""Whole sources over loopback: WordPress (two themes), Blogger, an HTML-only blog.

Each test serves a fixture site from tests/fixtures/sites, runs a source pass through
``dispatch`` with the real HttpFetcher, follows the returned ThreadRefs, and checks every
post and comment arrives exactly once with the right author, kind, time and parent.
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from collectors import registry
from collectors.dispatch import collect_source, collect_thread
from collectors.document import CollectResult, Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import (
    BlockedAddress,
    CollectorError,
    FetchTimeout,
    HttpStatusError,
    ParseError,
    RateLimited,
    ResponseTooLarge,
    TooManyRedirects,
)
from collectors.http import FetchOptions, HttpFetcher, build_fetcher
from tests.collectors.conftest import SITES, FixtureServer, RecordedRequest, Reply

pytestmark = pytest.mark.anyio

UA = "brand-monitor-test/1.0"
Site = Callable[[str], FixtureServer]
Start = Callable[..., FixtureServer]


@pytest.fixture
async def fetcher() -> AsyncIterator[HttpFetcher]:
    async with build_fetcher(FetchOptions(UA, allow_private_networks=True)) as opened:
        yield opened


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def collect_everything(
    fetcher: HttpFetcher, spec: SourceSpec
) -> tuple[CollectResult, dict[str, CollectResult]]:
    result = await collect_source(fetcher, spec, FetchState())
    threads = {ref.url: await collect_thread(fetcher, ref, FetchState()) for ref in result.threads}
    return result, threads


def all_documents(result: CollectResult, threads: dict[str, CollectResult]) -> list[Document]:
    return [*result.documents, *(d for r in threads.values() for d in r.documents)]


def by_key(documents: list[Document]) -> dict[str, Document]:
    counts = Counter(d.key for d in documents)
    assert [k for k, n in counts.items() if n > 1] == []
    return {d.key: d for d in documents}


def row(d: Document) -> tuple[str, str | None, datetime | None, str | None]:
    return (d.kind, d.author, d.published_at, d.parent_key)


async def test_wordpress_feed_posts_comment_feeds_and_page_comments(
    site_server: Site, fetcher: HttpFetcher
) -> None:
    server = site_server("wordpress")
    base = server.base_url
    result, threads = await collect_everything(fetcher, SourceSpec(server.url("/feed/"), "rss"))
    documents = by_key(all_documents(result, threads))
    p101, p102, quiet = f"{base}/?p=101", f"{base}/?p=102", f"{base}/2024/04/quiet-week/"
    hello, widgets = f"{base}/2024/05/hello-acme/", f"{base}/2024/05/acme-widgets-reviewed/"
    assert {k: row(d) for k, d in documents.items()} == {
        p101: ("post", "Jane Writer", utc(2024, 5, 6, 8, 0), None),
        p102: ("post", "Jane Writer", utc(2024, 5, 7, 14, 30), None),
        quiet: ("post", "Sam Editor", utc(2024, 4, 26, 17, 5, 9), None),
        hello + "#comment-201": ("comment", "Alice", utc(2024, 5, 6, 9, 15), p101),
        hello + "#comment-202": ("comment", "Bob", utc(2024, 5, 6, 12, 40), hello + "#comment-201"),
        hello + "#comment-203": ("comment", "Carol", utc(2024, 5, 7, 10, 12), p101),
        widgets + "#comment-204": ("comment", "Dave", utc(2024, 5, 8, 7, 0), p102),
        quiet + "#comment-205": ("comment", "Erin", utc(2024, 4, 27, 8, 0), quiet),
        quiet + "#comment-206": (
            "comment",
            "Sam Editor",
            utc(2024, 4, 27, 9, 30),
            quiet + "#comment-205",
        ),
    }
    assert documents[p101].url == hello  # tracking parameters dropped
    assert "alert" not in documents[p101].text
    # the excerpt-only item was completed from its page, without the sidebar blogroll
    assert "neat triangle on the shelf" in documents[p102].text
    assert "Globex" not in documents[p102].text
    assert documents[hello + "#comment-202"].text == "Same here, the brakes work fine for me."
    assert [(t.kind, t.url, t.parent_key) for t in result.threads] == [
        ("rss", hello + "feed/", p101),
        ("rss", widgets + "feed/", p102),
        ("blog", quiet, quiet),
    ]
    assert result.warnings == []
    assert all(r.warnings == [] for r in threads.values())


async def test_wordpress_sitewide_comment_feed_matches_per_post_feeds(
    site_server: Site, fetcher: HttpFetcher
) -> None:
    server = site_server("wordpress")
    _, threads = await collect_everything(fetcher, SourceSpec(server.url("/feed/"), "rss"))
    per_post = {
        d.key: d for r in threads.values() for d in r.documents if "quiet-week" not in d.key
    }
    sitewide = await collect_source(
        fetcher, SourceSpec(server.url("/comments/feed/"), "rss"), FetchState()
    )
    assert {d.key: d for d in sitewide.documents} == per_post
    assert sitewide.threads == []


async def test_wordpress_classic_excerpt_feed_reads_pages_and_html_comments(
    site_server: Site, fetcher: HttpFetcher
) -> None:
    server = site_server("wpclassic")
    base = server.base_url
    result = await collect_source(fetcher, SourceSpec(server.url("/feed/"), "rss"), FetchState())
    documents = by_key(result.documents)
    launch, post = f"{base}/acme-launch/", f"{base}/?p=7"
    assert {k: row(d) for k, d in documents.items()} == {
        post: ("post", "Pat Blogger", utc(2024, 5, 6, 19, 0), None),
        f"{base}/?p=9": ("post", "Pat Blogger", utc(2024, 5, 7, 18, 0), None),
        launch + "#comment-301": ("comment", "Gina", utc(2024, 5, 7, 9, 15), post),
        launch + "#comment-302": (
            "comment",
            "Pat Blogger",
            utc(2024, 5, 7, 11, 40),
            launch + "#comment-301",
        ),
        launch + "#comment-304": (
            "comment",
            "Gina",
            utc(2024, 5, 8, 20, 5),
            launch + "#comment-302",
        ),
        launch + "#comment-303": ("comment", "Anonymous", utc(2024, 5, 7, 17, 30), post),
    }
    text = documents[post].text
    assert "velvet cushions" in text
    assert "keyring" in text
    assert "appeared first on" not in text
    assert "Globex" not in text
    assert {(t.kind, t.url) for t in result.threads} == {
        ("blog", launch),
        ("blog", f"{base}/second-post/"),
    }
    # refreshing the thread later yields the same comments under the same keys
    refreshed = await collect_thread(fetcher, result.threads[0], FetchState())
    assert {d.key: d for d in refreshed.documents} == {
        k: d for k, d in documents.items() if d.kind == "comment"
    }


async def test_blogger_posts_and_threaded_comments(site_server: Site, fetcher: HttpFetcher) -> None:
    server = site_server("blogger")
    result, threads = await collect_everything(
        fetcher, SourceSpec(server.url("/feeds/posts/default"), "rss")
    )
    documents = by_key(all_documents(result, threads))
    tag = "tag:blogger.com,1999:blog-1234567890.post-"
    assert {k: row(d) for k, d in documents.items()} == {
        tag + "7001": ("post", "Rita Smith", utc(2024, 5, 6, 16, 0), None),
        tag + "7002": ("post", "Rita Smith", utc(2024, 5, 8, 17, 0), None),
        tag + "9001": ("comment", "Tom", utc(2024, 5, 6, 17, 0), tag + "7001"),
        tag + "9002": ("comment", "Rita Smith", utc(2024, 5, 6, 18, 15), tag + "9001"),
        tag + "9003": ("comment", "Uma", utc(2024, 5, 7, 7, 30), tag + "7001"),
    }
    comment = documents[tag + "9001"]
    assert comment.text == "Great review <3 I have the same anvil."
    assert comment.url.endswith("acme-anvil-one-year-on.html?showComment=171509001#c9001")
    assert comment.thread_title == "Acme anvil, one year on"
    assert documents[tag + "7001"].engagement == {"comments": 3}
    sitewide = await collect_source(
        fetcher, SourceSpec(server.url("/feeds/comments/default"), "rss"), FetchState()
    )
    assert {d.key: row(d) for d in sitewide.documents} == {
        k: row(d) for k, d in documents.items() if d.kind == "comment"
    }


def serve_html_blog(site_server: Site) -> FixtureServer:
    server = site_server("htmlblog")

    def gzipped_sitemap(_request: RecordedRequest) -> Reply:
        xml = (SITES / "htmlblog/sitemap-posts.xml").read_bytes()
        body = gzip.compress(xml.replace(b"{{BASE}}", server.base_url.encode()))
        return Reply(200, body, {"Content-Type": "application/x-gzip"})

    server.routes["/sitemap-posts.xml.gz"] = gzipped_sitemap
    return server


async def test_html_blog_via_robots_sitemaps_and_links(
    site_server: Site, fetcher: HttpFetcher
) -> None:
    server = serve_html_blog(site_server)
    base = server.base_url
    result = await collect_source(fetcher, SourceSpec(server.url("/"), None), FetchState())
    documents = by_key(result.documents)
    review = f"{base}/posts/acme-review.html"
    assert {k: row(d) for k, d in documents.items()} == {
        review: ("post", "Olga Maker", utc(2024, 5, 8, 7, 0), None),
        f"{base}/posts/older-post.html": ("post", None, utc(2023, 11, 2, 7, 45), None),
        f"{base}/posts/field-notes.html": ("post", "Olga Maker", utc(2024, 5, 5, 18, 0), None),
        review + "#comment-11": ("comment", "Ivan", utc(2024, 5, 8, 12, 0), review),
        review + "#comment-12": (
            "comment",
            "Olga Maker",
            utc(2024, 5, 8, 12, 30),
            review + "#comment-11",
        ),
        review + "#comment-13": ("comment", "Jo", utc(2024, 5, 9, 8, 0), review),
    }
    assert "Globex" not in documents[review].text
    assert "Hooli" not in documents[review].text
    requested = server.requested_paths()
    assert "/sitemap-posts.xml.gz" in requested
    assert "/sitemap-misc.xml" in requested
    for never in ("/private/secret.html", "/tag/acme/", "/about.html"):
        assert never not in requested
    assert requested.count("/robots.txt") == 1
    assert {t.url for t in result.threads} == {
        d.url for d in documents.values() if d.kind == "post"
    }


async def test_blog_kind_uses_an_advertised_feed(site_server: Site, fetcher: HttpFetcher) -> None:
    server = site_server("wordpress")
    result = await collect_source(fetcher, SourceSpec(server.url("/"), "blog"), FetchState())
    assert {d.key for d in result.documents} == {
        f"{server.base_url}/?p=101",
        f"{server.base_url}/?p=102",
        f"{server.base_url}/2024/04/quiet-week/",
    }
    assert "/feed/" in server.requested_paths()
    assert "/comments/feed/" not in server.requested_paths()
    assert not any("sitemap" in p for p in server.requested_paths())


@pytest.mark.parametrize(
    ("site", "path", "kind"),
    [
        ("wordpress", "/feed/", "rss"),
        ("blogger", "/feeds/posts/default", "rss"),
        ("wpclassic", "/feed/", "rss"),
        ("htmlblog", "/", "blog"),
    ],
)
async def test_second_pass_is_conditional_and_yields_nothing(
    site_server: Site, fetcher: HttpFetcher, site: str, path: str, kind: str
) -> None:
    server = serve_html_blog(site_server) if site == "htmlblog" else site_server(site)
    spec = SourceSpec(server.url(path), kind)  # type: ignore[arg-type]
    first = await collect_source(fetcher, spec, FetchState())
    assert first.documents
    assert first.state.etag
    second = await collect_source(fetcher, spec, first.state)
    assert second.not_modified
    assert second.documents == []
    assert second.threads == []
    assert second.state == first.state
    last = server.requests_for(path)[-1]
    assert last.headers["if-none-match"] == first.state.etag
    assert last.headers["if-modified-since"] == first.state.last_modified
    ref = first.threads[0]
    thread = await collect_thread(fetcher, ref, FetchState())
    again = await collect_thread(fetcher, ref, thread.state)
    assert again.not_modified
    assert again.documents == []


async def test_failed_article_page_is_a_warning_not_a_failure(
    site_server: Site, fetcher: HttpFetcher
) -> None:
    server = site_server("wpclassic")
    server.routes["/acme-launch/"] = Reply(500, b"database error")
    result = await collect_source(fetcher, SourceSpec(server.url("/feed/"), "rss"), FetchState())
    posts = {d.key: d for d in result.documents if d.kind == "post"}
    assert set(posts) == {f"{server.base_url}/?p=7", f"{server.base_url}/?p=9"}
    assert (
        posts[f"{server.base_url}/?p=7"].text
        == "Acme threw a launch party for its new anvil line …"
    )
    assert len(result.warnings) == 1
    assert "/acme-launch/" in result.warnings[0]
    assert "500" in result.warnings[0]


async def test_failed_blog_page_is_a_warning(site_server: Site, fetcher: HttpFetcher) -> None:
    server = serve_html_blog(site_server)
    server.routes["/posts/older-post.html"] = Reply(404, b"gone")
    result = await collect_source(fetcher, SourceSpec(server.url("/"), "blog"), FetchState())
    assert len([d for d in result.documents if d.kind == "post"]) == 2
    assert any("older-post.html" in w and "404" in w for w in result.warnings)


async def test_main_url_failure_raises(fixture_server: Start, fetcher: HttpFetcher) -> None:
    server = fixture_server({"/feed/": Reply(404, b"no feed here")})
    with pytest.raises(HttpStatusError) as caught:
        await collect_source(fetcher, SourceSpec(server.url("/feed/"), "rss"), FetchState())
    assert caught.value.status == 404


async def test_private_address_refused_for_sources(fixture_server: Start) -> None:
    server = fixture_server({"/feed/": Reply(200, b"<rss/>")})
    async with build_fetcher(FetchOptions(UA)) as guarded:
        with pytest.raises(BlockedAddress):
            await collect_source(guarded, SourceSpec(server.url("/feed/"), "rss"), FetchState())
    assert server.requests == []


def feed_bytes(title: str = "t") -> bytes:
    item = "<item><title>i</title><guid>g</guid></item>"
    return f'<rss version="2.0"><channel><title>{title}</title>{item}</channel></rss>'.encode()


HOSTILE = {
    "/malformed": Reply(
        200, b"<rss><channel><title>oops</chan", {"Content-Type": "application/rss+xml"}
    ),
    "/laughs": Reply(
        200,
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + feed_bytes("&b;"),
        {"Content-Type": "application/rss+xml"},
    ),
    "/not-utf16": Reply(
        200, b"\xff\xfe\x00garbage\x00\xd8", {"Content-Type": "application/rss+xml; charset=utf-16"}
    ),
    "/bomb": Reply(200, gzip.compress(b" " * 30_000_000), {"Content-Encoding": "gzip"}),
    "/huge": Reply(200, b"<p>" + b"x" * 2_000_000 + b"</p>"),
    "/loop": Reply(301, headers={"Location": "/loop2"}),
    "/loop2": Reply(301, headers={"Location": "/loop"}),
    "/drip": Reply(200, feed_bytes() * 20, drip_s=0.01),
    "/busy": Reply(429, headers={"Retry-After": "90"}),
}


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/malformed", ParseError),
        ("/laughs", ParseError),
        ("/not-utf16", ParseError),
        ("/bomb", ResponseTooLarge),
        ("/huge", ResponseTooLarge),
        ("/loop", TooManyRedirects),
        ("/drip", FetchTimeout),
        ("/busy", RateLimited),
    ],
)
async def test_hostile_sources_raise_the_right_error(
    fixture_server: Start, path: str, error: type[CollectorError]
) -> None:
    server = fixture_server(HOSTILE)
    options = FetchOptions(UA, allow_private_networks=True, max_bytes=200_000, deadline_s=1.0)
    async with build_fetcher(options) as fetcher:
        with pytest.raises(error) as caught:
            await collect_source(fetcher, SourceSpec(server.url(path), "rss"), FetchState())
    assert server.url(path) in str(caught.value)
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after_s == 90


async def test_every_kind_dispatches_to_a_collector() -> None:
    for kind in registry.kind_names():
        collector = registry.lookup(kind).collector
        assert callable(collector.collect), kind
        assert callable(collector.collect_thread), kind


async def test_unknown_thread_kind_is_a_clear_error(fetcher: HttpFetcher) -> None:
    ref = ThreadRef("https://x.example/", "gopher", "https://x.example/")
    with pytest.raises(CollectorError, match="unknown source kind 'gopher'"):
        await collect_thread(fetcher, ref, FetchState())
