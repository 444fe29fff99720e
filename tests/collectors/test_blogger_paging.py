"""Blogger comment feeds come in pages (rel="next" with start-index): every page is read."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from collectors import rss
from collectors.document import FetchState, ThreadRef
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import SITES, FixtureServer, Reply

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]
OPTIONS = FetchOptions(user_agent="brand-monitor-test/1.0", allow_private_networks=True)
ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
FEED = "/feeds/7001/comments/default"
PAGE_2 = FEED + "?start-index=4&max-results=3"


def page(base: str, *, next_link: str | None, renumber: int = 0) -> bytes:
    text = (SITES / "blogger" / "feeds" / "7001" / "comments" / "default.atom").read_text()
    text = text.replace("{{BASE}}", base)
    if renumber:  # the second page holds other comments
        text = re.sub(r"post-(900\d)", lambda m: f"post-{int(m.group(1)) + renumber}", text)
        text = re.sub(r"#c(900\d)", lambda m: f"#c{int(m.group(1)) + renumber}", text)
    if next_link:
        href = (base + next_link).replace("&", "&amp;")
        link = f"<link rel='next' type='application/atom+xml' href='{href}'/>"
        text = text.replace("<link rel='alternate' type='text/html'", link +
                            "<link rel='alternate' type='text/html'", 1)
    return text.encode()


async def collect(server: FixtureServer) -> object:
    ref = ThreadRef(server.url(FEED), "rss", server.url("/2024/05/acme-anvil-one-year-on.html"),
                    "Acme anvil, one year on")
    async with build_fetcher(OPTIONS) as fetcher:
        return await rss.collect_thread(fetcher, ref, FetchState())


async def test_every_page_of_a_comment_feed_is_read(fixture_server: Start) -> None:
    server = fixture_server({})
    server.routes[FEED] = Reply(200, page(server.base_url, next_link=PAGE_2), ATOM)
    server.routes[PAGE_2] = Reply(200, page(server.base_url, next_link=None, renumber=100), ATOM)
    result = await collect(server)
    keys = [d.key for d in result.documents]
    assert len(keys) == 6
    assert len(set(keys)) == 6
    assert server.requests_for(PAGE_2)
    assert result.warnings == []


async def test_a_failing_later_page_keeps_the_first(fixture_server: Start) -> None:
    server = fixture_server({})
    server.routes[FEED] = Reply(200, page(server.base_url, next_link=PAGE_2), ATOM)
    server.routes[PAGE_2] = Reply(503, b"busy", {"Retry-After": "60"})
    result = await collect(server)
    assert len(result.documents) == 3
    assert "later comment pages not read" in result.warnings[0]


async def test_a_page_pointing_at_itself_ends_the_paging(fixture_server: Start) -> None:
    server = fixture_server({})
    server.routes[FEED] = Reply(200, page(server.base_url, next_link=FEED), ATOM)
    result = await collect(server)
    assert len(result.documents) == 3
    assert len(server.requests_for(FEED)) == 1
