"""Search engine mastodon: tag timelines and /api/v2/search on a loopback instance."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from collectors.errors import ParseError, RateLimited
from collectors.search_engines.mastodon import compute_tag
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply
from tests.collectors.search_support import RATE_LIMITED, ago, json_reply, params, run_search

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]


def status(status_id: int, at: datetime, *, boost: bool = False) -> dict[str, object]:
    own: dict[str, object] = {
        "id": str(status_id), "created_at": at.isoformat().replace("+00:00", ".000Z"),
        "in_reply_to_id": "7" if status_id % 2 else None, "sensitive": False,
        "spoiler_text": "", "visibility": "public", "language": "en",
        "uri": f"https://social.example/users/ana/statuses/{status_id}",
        "url": f"https://social.example/@ana/{status_id}", "replies_count": 1,
        "reblogs_count": 2, "favourites_count": 3,
        "content": f"<p>My <a href=\"https://social.example/tags/acme\" class=\"mention "
                   f"hashtag\">#<span>Acme</span></a> Duo number {status_id}</p>",
        "account": {"id": "1", "username": "ana", "acct": "ana@social.example",
                    "display_name": "Ana"}, "reblog": None, "media_attachments": [],
        "mentions": [], "tags": [{"name": "acme", "url": "https://social.example/tags/acme"}],
    }
    if boost:
        # The boost is the timeline's entry; the boosted status is older (smaller id).
        return {**own, "content": "", "uri": own["uri"] + "/activity",
                "reblog": {**own, "id": "5"}}
    return own


STATUSES = [status(100 - i, ago(hours=i), boost=i == 1) for i in range(5)]


def timeline(request: RecordedRequest) -> Reply:
    """Newest first, 2 a page, older with max_id, Link header like Mastodon's."""
    query = params(request)
    older = [s for s in STATUSES
             if "max_id" not in query or int(str(s["id"])) < int(query["max_id"])]
    page = older[:2]
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
    if page:
        headers["Link"] = (f'<{request.path}&max_id={page[-1]["id"]}>; rel="next", '
                           f'<{request.path}&min_id={page[0]["id"]}>; rel="prev"')
    return json_reply(page, headers=headers)


def test_tags_from_terms() -> None:
    assert compute_tag(("Acme Corp",)) == "acmecorp"
    assert compute_tag(("Delta", "flights")) == "flights"


async def test_tag_timeline_pages_with_max_id(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/timelines/tag/acme": timeline})
    result = await run_search(server.base_url, "mastodon", max_pages="5")
    assert [d.key.rsplit("/", 1)[1] for d in result.documents] == ["100", "99", "98", "97",
                                                                    "96"]
    boosted = result.documents[1]
    assert boosted.text == "My #Acme Duo number 99"
    assert boosted.author == "ana@social.example"
    assert boosted.kind == "comment"  # a reply
    assert dict(result.documents[0].engagement) == {"replies": 1, "reblogs": 2,
                                                    "favourites": 3}
    asked = [params(r).get("max_id") for r in server.requests_for("/api/v1/timelines/tag/acme")]
    assert asked[:3] == [None, "99", "97"]

    server.clear_log()
    again = await run_search(server.base_url, "mastodon", cursor=result.state.cursor)
    assert [d.key.rsplit("/", 1)[1] for d in again.documents] == ["100"]


async def test_search_mode_asks_v2_search(fixture_server: Start) -> None:
    server = fixture_server({"/api/v2/search": json_reply(
        {"accounts": [], "hashtags": [], "statuses": STATUSES[:1]})})
    result = await run_search(server.base_url, "mastodon", mastodon_mode="search",
                              max_pages="1")
    assert len(result.documents) == 1
    (asked,) = server.requests_for("/api/v2/search")
    assert params(asked)["type"] == "statuses"


async def test_rate_limited_and_malformed(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/timelines/tag/acme": RATE_LIMITED})
    with pytest.raises(RateLimited):
        await run_search(server.base_url, "mastodon")
    server = fixture_server({"/api/v1/timelines/tag/acme": json_reply({"error": "nope"})})
    with pytest.raises(ParseError, match="not Mastodon statuses"):
        await run_search(server.base_url, "mastodon")
