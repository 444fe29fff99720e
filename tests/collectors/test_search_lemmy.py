"""Search engine lemmy: /api/v3/search on a loopback instance in Lemmy's format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from collectors.errors import HttpStatusError, ParseError, RateLimited
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply
from tests.collectors.search_support import RATE_LIMITED, ago, json_reply, params, run_search

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]
BASE = "https://lemmy.example"


def lemmy_time(at: datetime, *, old_style: bool = False) -> str:
    text = at.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text if old_style else text + "Z"


def post_view(post_id: int, at: datetime) -> dict[str, object]:
    return {
        "post": {"id": post_id, "name": f"Acme Duo review {post_id}", "body": "It **leaks**.",
                 "url": None, "creator_id": 3, "community_id": 2, "removed": False,
                 "deleted": False, "published": lemmy_time(at, old_style=post_id == 2),
                 "ap_id": f"{BASE}/post/{post_id}", "local": True},
        "creator": {"id": 3, "name": "ana", "actor_id": f"{BASE}/u/ana"},
        "community": {"id": 2, "name": "coffee", "title": "Coffee"},
        "counts": {"post_id": post_id, "comments": 1, "score": 7, "upvotes": 7,
                   "downvotes": 0, "published": lemmy_time(at)},
        "subscribed": "NotSubscribed", "saved": False, "read": False,
    }


def comment_view(comment_id: int, at: datetime, *, deleted: bool = False) -> dict[str, object]:
    return {
        "comment": {"id": comment_id, "creator_id": 4, "post_id": 1,
                    "content": "The Acme Duo is fine", "removed": False, "deleted": deleted,
                    "published": lemmy_time(at), "ap_id": f"{BASE}/comment/{comment_id}",
                    "local": True, "path": f"0.{comment_id}", "distinguished": False},
        "creator": {"id": 4, "name": "bo", "actor_id": f"{BASE}/u/bo"},
        "post": {"id": 1, "name": "Acme Duo review 1", "ap_id": f"{BASE}/post/1"},
        "community": {"id": 2, "name": "coffee"},
        "counts": {"comment_id": comment_id, "score": 2, "child_count": 0},
    }


PAGES = [
    {"type_": "All", "posts": [post_view(1, ago(hours=1))],
     "comments": [comment_view(11, ago(hours=2)), comment_view(12, ago(hours=3), deleted=True)],
     "communities": [], "users": []},
    {"type_": "All", "posts": [post_view(2, ago(hours=5))], "comments": [],
     "communities": [], "users": []},
    {"type_": "All", "posts": [], "comments": [], "communities": [], "users": []},
]


def lemmy_search(request: RecordedRequest) -> Reply:
    page = int(params(request)["page"])
    return json_reply(PAGES[min(page, len(PAGES)) - 1])


async def test_pages_until_an_empty_page(fixture_server: Start) -> None:
    server = fixture_server({"/api/v3/search": lemmy_search})
    result = await run_search(server.base_url, "lemmy", max_pages="5")
    assert [d.key for d in result.documents] == [
        f"lemmy:{BASE}/post/1", f"lemmy:{BASE}/comment/11", f"lemmy:{BASE}/post/2"]
    comment = result.documents[1]
    assert comment.parent_key == f"lemmy:{BASE}/post/1"
    assert comment.author == "bo"
    assert result.documents[2].published_at == ago(hours=5)  # offset-less time read as UTC
    asked = [params(r) for r in server.requests_for("/api/v3/search")]
    assert [a["page"] for a in asked] == ["1", "2", "3"]
    assert asked[0]["sort"] == "New"

    server.clear_log()
    again = await run_search(server.base_url, "lemmy", cursor=result.state.cursor)
    assert [d.key for d in again.documents] == [f"lemmy:{BASE}/post/1"]
    assert len(server.requests_for("/api/v3/search")) == 1


async def test_rate_limit_answers(fixture_server: Start) -> None:
    server = fixture_server({"/api/v3/search": RATE_LIMITED})
    with pytest.raises(RateLimited):
        await run_search(server.base_url, "lemmy")
    server = fixture_server({"/api/v3/search": json_reply({"error": "rate_limit_error"}, 400)})
    with pytest.raises(HttpStatusError):
        await run_search(server.base_url, "lemmy")


async def test_malformed_answers(fixture_server: Start) -> None:
    server = fixture_server({"/api/v3/search": json_reply({"error": "couldnt_find_object"})})
    with pytest.raises(ParseError, match="couldnt_find_object"):
        await run_search(server.base_url, "lemmy")
    server = fixture_server({"/api/v3/search": json_reply({"posts": [{"post": {}}]})})
    with pytest.raises(ParseError, match="not a Lemmy search answer"):
        await run_search(server.base_url, "lemmy")
