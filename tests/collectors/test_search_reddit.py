"""Search engine reddit: /search.json on a loopback server in Reddit's Listing format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from collectors.errors import ParseError, RateLimited
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply
from tests.collectors.search_support import RATE_LIMITED, ago, json_reply, params, run_search

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]


def post(post_id: str, at: datetime) -> dict[str, object]:
    permalink = f"/r/espresso/comments/{post_id}/acme_duo/"
    return {"kind": "t3", "data": {
        "id": post_id, "name": f"t3_{post_id}", "title": f"Acme Duo {post_id}",
        "selftext": "The Acme Duo leaks.", "selftext_html": None, "author": "brewer",
        "subreddit": "espresso", "permalink": permalink, "url": "https://www.reddit.com" +
        permalink, "created_utc": at.timestamp(), "score": 5, "num_comments": 2,
        "is_self": True, "over_18": False}}


POSTS = [post(f"p{i}", ago(hours=3 * i)) for i in range(5)]


def reddit_search(remaining: str = "99") -> Callable[[RecordedRequest], Reply]:
    def answer(request: RecordedRequest) -> Reply:
        query = params(request)
        start = int(query["after"].removeprefix("t3_p")) + 1 if "after" in query else 0
        page = POSTS[start:start + 2]
        after = f"t3_p{start + 1}" if start + 2 < len(POSTS) else None
        return json_reply({"kind": "Listing", "data": {
            "after": after, "before": None, "dist": len(page), "children": page}},
            headers={"X-Ratelimit-Remaining": remaining, "X-Ratelimit-Used": "1",
                     "X-Ratelimit-Reset": "300"})
    return answer


async def test_pages_with_after_until_the_mark(fixture_server: Start) -> None:
    server = fixture_server({"/search.json": reddit_search()})
    result = await run_search(server.base_url, "reddit", max_pages="5")
    assert [d.key for d in result.documents] == [f"t3_p{i}" for i in range(5)]
    assert result.documents[0].url == server.url("/r/espresso/comments/p0/acme_duo/")
    asked = [params(r) for r in server.requests_for("/search.json")]
    assert [a.get("after") for a in asked] == [None, "t3_p1", "t3_p3"]
    assert asked[0]["sort"] == "new"
    assert asked[0]["q"] == "acme"
    assert {t.kind for t in result.threads} == {"reddit"}
    assert len(result.threads) == 5

    server.clear_log()
    again = await run_search(server.base_url, "reddit", cursor=result.state.cursor)
    assert [d.key for d in again.documents] == ["t3_p0"]
    assert len(server.requests_for("/search.json")) == 1  # an older post ends the paging


async def test_a_subreddit_search_is_restricted(fixture_server: Start) -> None:
    server = fixture_server({"/r/espresso/search.json": reddit_search()})
    await run_search(server.base_url, "reddit", subreddit="r/espresso", max_pages="1")
    (asked,) = server.requests_for("/r/espresso/search.json")
    assert params(asked)["restrict_sr"] == "on"


async def test_an_exhausted_budget_stops_paging(fixture_server: Start) -> None:
    server = fixture_server({"/search.json": reddit_search(remaining="0")})
    result = await run_search(server.base_url, "reddit", max_pages="5")
    assert len(result.documents) == 2
    assert "rate limit" in result.warnings[0]


async def test_429_fails_the_source_with_retry_after(fixture_server: Start) -> None:
    server = fixture_server({"/search.json": RATE_LIMITED})
    with pytest.raises(RateLimited):
        await run_search(server.base_url, "reddit")


async def test_malformed_listing_is_a_parse_error(fixture_server: Start) -> None:
    server = fixture_server({"/search.json": json_reply({"kind": "t3", "data": {}})})
    with pytest.raises(ParseError, match="not a Reddit listing"):
        await run_search(server.base_url, "reddit")
