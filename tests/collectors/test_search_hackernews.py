"""Search engine hackernews: Algolia's search_by_date on a loopback server in its format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from collectors.errors import ParseError, RateLimited
from collectors.searching import load_cursor
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply
from tests.collectors.search_support import (
    MALFORMED,
    RATE_LIMITED,
    ago,
    json_reply,
    params,
    run_search,
)

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]


def story(item_id: int, at: datetime, title: str) -> dict[str, object]:
    return {"objectID": str(item_id), "author": "pg", "title": title, "url": None,
            "story_text": f"<p>{title}</p>", "points": 3, "num_comments": 1,
            "created_at": at.isoformat().replace("+00:00", ".000Z"),
            "created_at_i": int(at.timestamp()), "_tags": ["story", "author_pg",
                                                           f"story_{item_id}"]}


def comment(item_id: int, at: datetime, story_id: int, text: str) -> dict[str, object]:
    return {"objectID": str(item_id), "author": "dang", "comment_text": text,
            "story_id": story_id, "story_title": "Acme launches", "parent_id": story_id,
            "created_at": at.isoformat().replace("+00:00", ".000Z"), "points": None,
            "created_at_i": int(at.timestamp()), "_tags": ["comment", "author_dang",
                                                           f"story_{story_id}"]}


HITS = [comment(10 + i, ago(hours=i), 1, f"<p>Acme comment {i}</p>") for i in range(5)]
HITS.append(story(1, ago(days=2), "Acme launches"))


def algolia(request: RecordedRequest) -> Reply:
    """``search_by_date``: hits newer than ``created_at_i>=`` newest first, 2 per page."""
    query = params(request)
    since = int(query["numericFilters"].removeprefix("created_at_i>="))
    hits = [h for h in HITS if int(str(h["created_at_i"])) >= since]
    size, page = 2, int(query.get("page", "0"))
    pages = max(1, -(-len(hits) // size))
    return json_reply({"hits": hits[page * size:(page + 1) * size], "nbHits": len(hits),
                       "page": page, "nbPages": pages, "hitsPerPage": size,
                       "query": query["query"], "params": request.path})


async def test_pages_through_stories_and_comments_and_keeps_a_mark(fixture_server: Start
                                                                   ) -> None:
    server = fixture_server({"/api/v1/search_by_date": algolia})
    result = await run_search(server.url("/api/v1"), "hackernews", max_pages="10")
    assert [d.key for d in result.documents] == [*(f"hn:{10 + i}" for i in range(5)), "hn:1"]
    assert result.documents[0].text == "Acme comment 0"
    assert result.documents[-1].kind == "post"
    asked = [params(r) for r in server.requests_for("/api/v1/search_by_date")]
    assert [a["page"] for a in asked] == ["0", "1", "2"]
    assert asked[0]["tags"] == "(story,comment)"
    assert asked[0]["query"] == "acme"
    assert [t.thread_url for t in result.threads] == ["https://news.ycombinator.com/item?id=1"]
    assert result.threads[0].url == server.url("/api/v1/items/1")
    (mark,) = load_cursor(result.state).values()
    assert mark == ago(hours=0)

    server.clear_log()
    again = await run_search(server.url("/api/v1"), "hackernews", cursor=result.state.cursor)
    assert [d.key for d in again.documents] == ["hn:10"]  # only what is at the mark or newer
    asked = [params(r) for r in server.requests_for("/api/v1/search_by_date")]
    assert asked[0]["numericFilters"] == f"created_at_i>={int(mark.timestamp())}"


async def test_a_new_term_group_searches_back_backfill_days(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/search_by_date": algolia})
    before = datetime.now(UTC) - timedelta(days=1)
    await run_search(server.url("/api/v1"), "hackernews", backfill_days="1")
    after = datetime.now(UTC) - timedelta(days=1)
    asked = server.requests_for("/api/v1/search_by_date")[0]
    since = int(params(asked)["numericFilters"].split(">=")[1])
    assert int(before.timestamp()) <= since <= int(after.timestamp())


async def test_max_pages_stops_with_a_warning(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/search_by_date": algolia})
    result = await run_search(server.url("/api/v1"), "hackernews", max_pages="1")
    assert len(result.documents) == 2
    assert "older results skipped" in result.warnings[0]


async def test_rate_limited_first_request_fails_the_source(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/search_by_date": RATE_LIMITED})
    with pytest.raises(RateLimited) as caught:
        await run_search(server.url("/api/v1"), "hackernews")
    assert caught.value.retry_after_s == 120


async def test_rate_limit_after_a_first_group_keeps_what_was_found(fixture_server: Start
                                                                   ) -> None:
    def second_limited(request: RecordedRequest) -> Reply:
        return algolia(request) if params(request)["query"] == "acme" else RATE_LIMITED

    server = fixture_server({"/api/v1/search_by_date": second_limited})
    result = await run_search(server.url("/api/v1"), "hackernews",
                              terms=(("acme",), ("globex",)), max_pages="10")
    assert len(result.documents) == 6
    assert "search stopped early" in result.warnings[0]
    assert len(load_cursor(result.state)) == 1  # the unfinished group keeps no mark


async def test_malformed_answer_is_a_parse_error(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/search_by_date": MALFORMED})
    with pytest.raises(ParseError):
        await run_search(server.url("/api/v1"), "hackernews")
    server = fixture_server({"/api/v1/search_by_date": json_reply({"hits": "nope"})})
    with pytest.raises(ParseError, match="not an Algolia search result"):
        await run_search(server.url("/api/v1"), "hackernews")
