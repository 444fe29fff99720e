"""HttpFetcher against real loopback servers: politeness, conditional GET, guards, limits."""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from collectors.document import FetchState
from collectors.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    RateLimited,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
)
from collectors.http import FetchOptions, HttpFetcher, build_fetcher, parse_retry_after
from collectors.netguard import IPAddress, is_public_address
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply

pytestmark = pytest.mark.anyio

UA = "brand-monitor-test/1.0 (+https://example.org/bot)"
Start = Callable[..., FixtureServer]


def options(**overrides: object) -> FetchOptions:
    base: dict[str, object] = {"user_agent": UA, "allow_private_networks": True}
    base.update(overrides)
    return FetchOptions(**base)  # type: ignore[arg-type]


async def test_sends_user_agent_and_returns_lowercase_headers(fixture_server: Start) -> None:
    server = fixture_server({"/page": Reply(200, b"hello", {"X-Thing": "1", "ETag": '"v1"'})})
    async with build_fetcher(options()) as fetcher:
        response = await fetcher.fetch(server.url("/page"), accept="text/html")
    assert response.status == 200
    assert response.body == b"hello"
    assert response.headers["x-thing"] == "1"
    assert response.state == FetchState(etag='"v1"', last_modified=None)
    (request,) = server.requests_for("/page")
    assert request.headers["user-agent"] == UA
    assert request.headers["accept"] == "text/html"
    assert "if-none-match" not in request.headers


async def test_conditional_get_gives_304_and_keeps_state(fixture_server: Start) -> None:
    reply = Reply(200, b"<rss/>", etag='"abc"', last_modified="Mon, 06 May 2024 10:00:00 GMT")
    server = fixture_server({"/feed": reply})
    async with build_fetcher(options()) as fetcher:
        first = await fetcher.fetch(server.url("/feed"))
        second = await fetcher.fetch(server.url("/feed"), state=first.state)
    assert first.state == FetchState('"abc"', "Mon, 06 May 2024 10:00:00 GMT")
    assert second.not_modified
    assert second.body == b""
    assert second.state == first.state
    conditional = server.requests_for("/feed")[1]
    assert conditional.headers["if-none-match"] == '"abc"'
    assert conditional.headers["if-modified-since"] == "Mon, 06 May 2024 10:00:00 GMT"


async def test_dripping_server_hits_total_deadline(fixture_server: Start) -> None:
    server = fixture_server({"/drip": Reply(200, b"x" * 400, drip_s=0.02)})
    async with build_fetcher(options(deadline_s=0.5, timeout_s=5)) as fetcher:
        with pytest.raises(FetchTimeout, match="deadline"):
            await fetcher.fetch(server.url("/drip"))


async def test_stalled_server_hits_read_timeout(fixture_server: Start) -> None:
    server = fixture_server({"/slow": Reply(200, b"late", delay_s=1.5)})
    async with build_fetcher(options(deadline_s=30, timeout_s=0.3)) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.fetch(server.url("/slow"))


async def test_oversized_page_is_refused(fixture_server: Start) -> None:
    server = fixture_server({"/big": Reply(200, b"a" * 100_000)})
    async with build_fetcher(options(max_bytes=10_000)) as fetcher:
        with pytest.raises(ResponseTooLarge, match="10,000"):
            await fetcher.fetch(server.url("/big"))


async def test_gzip_bomb_is_refused(fixture_server: Start) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    server = fixture_server({"/bomb": Reply(200, bomb, {"Content-Encoding": "gzip"})})
    async with build_fetcher(options(max_bytes=1_000_000)) as fetcher:
        with pytest.raises(ResponseTooLarge):
            await fetcher.fetch(server.url("/bomb"))


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib header
    ],
)
async def test_compressed_bodies_are_decoded(
    fixture_server: Start, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    text = b"<p>compressed page</p>" * 500
    server = fixture_server({"/z": Reply(200, encode(text), {"Content-Encoding": encoding})})
    async with build_fetcher(options()) as fetcher:
        response = await fetcher.fetch(server.url("/z"))
    assert response.body == text
    assert server.requests_for("/z")[0].headers["accept-encoding"] == "gzip, deflate"


async def test_redirects_are_followed_to_final_url(fixture_server: Start) -> None:
    server = fixture_server(
        {
            "/old": Reply(301, headers={"Location": "/mid"}),
            "/mid": Reply(302, headers={"Location": "/new?x=1"}),
            "/new": Reply(200, b"arrived"),
        }
    )
    async with build_fetcher(options()) as fetcher:
        response = await fetcher.fetch(server.url("/old"))
    assert response.url == server.url("/new?x=1")
    assert response.body == b"arrived"


async def test_redirect_loop_is_refused(fixture_server: Start) -> None:
    server = fixture_server(
        {"/a": Reply(302, headers={"Location": "/b"}), "/b": Reply(302, headers={"Location": "/a"})}
    )
    async with build_fetcher(options()) as fetcher:
        with pytest.raises(TooManyRedirects, match="loop"):
            await fetcher.fetch(server.url("/a"))
    assert len(server.requests_for("/a")) == 1


async def test_redirect_chain_longer_than_limit_is_refused(fixture_server: Start) -> None:
    routes = {f"/r{i}": Reply(302, headers={"Location": f"/r{i + 1}"}) for i in range(10)}
    server = fixture_server(routes)
    async with build_fetcher(options(max_redirects=3)) as fetcher:
        with pytest.raises(TooManyRedirects, match="more than 3"):
            await fetcher.fetch(server.url("/r0"))
    assert not server.requests_for("/r5")


async def test_429_carries_retry_after_seconds(fixture_server: Start) -> None:
    server = fixture_server({"/busy": Reply(429, b"slow down", {"Retry-After": "120"})})
    async with build_fetcher(options()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(server.url("/busy"))
    assert caught.value.status == 429
    assert caught.value.retry_after_s == 120
    assert server.url("/busy") in str(caught.value)


async def test_503_carries_retry_after_date(fixture_server: Start) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    server = fixture_server({"/down": Reply(503, headers={"Retry-After": when})})
    async with build_fetcher(options()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(server.url("/down"))
    assert caught.value.retry_after_s is not None
    assert 3000 < caught.value.retry_after_s <= 3600


async def test_error_status_raises_with_status(fixture_server: Start) -> None:
    server = fixture_server({"/gone": Reply(410, b"gone")})
    async with build_fetcher(options()) as fetcher:
        with pytest.raises(HttpStatusError) as caught:
            await fetcher.fetch(server.url("/gone"))
    assert caught.value.status == 410
    assert not isinstance(caught.value, RateLimited)


def test_parse_retry_after_forms() -> None:
    now = datetime(2024, 5, 6, 10, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Mon, 06 May 2024 10:02:00 GMT", now=now) == 120
    assert parse_retry_after("Mon, 06 May 2024 09:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_private_address_refused_when_not_allowed(fixture_server: Start) -> None:
    server = fixture_server({"/": Reply(200, b"internal")})
    async with build_fetcher(options(allow_private_networks=False)) as fetcher:
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 resolves to non-public address"):
            await fetcher.fetch(server.url("/"))
        port = server.base_url.rsplit(":", 1)[1]
        with pytest.raises(BlockedAddress, match=f"http://localhost:{port}/: localhost resolves"):
            await fetcher.fetch(f"http://localhost:{port}/")
    assert server.requests == []


async def test_redirect_hop_to_private_address_refused(fixture_server: Start) -> None:
    private = fixture_server({"/secret": Reply(200, b"metadata")}, host="127.0.0.2")
    public = fixture_server({"/go": Reply(302, headers={"Location": private.url("/secret")})})

    def only_first_loopback(ip: IPAddress) -> bool:
        # 127.0.0.1 plays the public internet here; every other address stays private.
        return ip == ipaddress.ip_address("127.0.0.1")

    opts = options(allow_private_networks=False)
    async with HttpFetcher(opts, address_filter=only_first_loopback) as fetcher:
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2"):
            await fetcher.fetch(public.url("/go"))
    assert public.requests_for("/go")
    assert private.requests == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


async def test_robots_disallowed_page_is_never_requested(fixture_server: Start) -> None:
    robots = (
        b"User-agent: *\nDisallow: /private/\n\n"
        b"User-agent: brand-monitor-test\nDisallow: /no-bots/\n\n"
        b"Sitemap: http://example.org/sitemap.xml\n"
    )
    server = fixture_server(
        {
            "/robots.txt": Reply(200, robots, {"Content-Type": "text/plain"}),
            "/private/x": Reply(200, b"should not be read"),
            "/no-bots/y": Reply(200, b"should not be read"),
            "/public": Reply(200, b"ok"),
        }
    )
    async with build_fetcher(options()) as fetcher:
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(server.url("/no-bots/y"))
        assert (await fetcher.fetch(server.url("/public"))).body == b"ok"
        assert await fetcher.allows(server.url("/private/x"))  # our group replaces '*'
        assert await fetcher.sitemaps_for(server.url("/")) == ["http://example.org/sitemap.xml"]
    assert server.requested_paths() == ["/robots.txt", "/public"]


async def test_robots_fetched_once_per_host_even_concurrently(fixture_server: Start) -> None:
    import asyncio

    server = fixture_server(
        {"/robots.txt": Reply(200, b"User-agent: *\nDisallow:\n", delay_s=0.1)}
        | {f"/p{i}": Reply(200, b"ok") for i in range(6)}
    )
    async with build_fetcher(options()) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url(f"/p{i}")) for i in range(6)))
    assert len(server.requests_for("/robots.txt")) == 1


@pytest.mark.parametrize("status", [404, 500])
async def test_robots_error_means_allow(fixture_server: Start, status: int) -> None:
    server = fixture_server({"/robots.txt": Reply(status), "/page": Reply(200, b"ok")})
    async with build_fetcher(options(robots_retry_s=0)) as fetcher:
        await fetcher.fetch(server.url("/page"))
        await fetcher.fetch(server.url("/page"))
    # a 4xx is remembered; a 5xx is asked again once its short retry window is over
    assert len(server.requests_for("/robots.txt")) == (1 if status == 404 else 2)


async def test_per_host_concurrency_is_capped(fixture_server: Start) -> None:
    import asyncio

    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(_request: RecordedRequest) -> Reply:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return Reply(200, b"ok")

    server = fixture_server({f"/s{i}": slow for i in range(8)})
    async with build_fetcher(options(per_host_concurrency=2, obey_robots=False)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(server.url(f"/s{i}")) for i in range(8)))
    assert len(server.requests) == 8
    assert peak == 2


async def test_unusable_urls_raise_fetch_error() -> None:
    async with build_fetcher(options()) as fetcher:
        with pytest.raises(FetchError, match="only absolute http"):
            await fetcher.fetch("file:///etc/passwd")
        with pytest.raises(FetchError):
            await fetcher.fetch("http://127.0.0.1:9/")  # discard port: connection refused


async def test_fetch_outside_context_is_a_clear_error(fixture_server: Start) -> None:
    server = fixture_server({"/": Reply(200, b"x")})
    fetcher = build_fetcher(options(obey_robots=False))
    with pytest.raises(RuntimeError, match="async with"):
        await fetcher.fetch(server.url("/"))


async def test_fixture_server_accepts_plain_tuples(fixture_server: Start) -> None:
    server = fixture_server({"/t": (201, {"X-Kind": "tuple"}, b"made")})
    async with build_fetcher(options(obey_robots=False)) as fetcher:
        response = await fetcher.fetch(server.url("/t"))
    assert (response.status, response.headers["x-kind"], response.body) == (201, "tuple", b"made")
