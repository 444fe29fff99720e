"""Search engine stackexchange: /search/excerpts on a loopback server in the API's format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from collectors.errors import HttpStatusError, ParseError
from collectors.search_engines.stackexchange import compute_site_url
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply
from tests.collectors.search_support import ago, json_reply, params, run_search

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]


def excerpt(question_id: int, at: datetime, answer_id: int | None = None) -> dict[str, object]:
    item: dict[str, object] = {
        "tags": ["acme"], "question_score": 3, "is_accepted": False, "has_accepted_answer": False,
        "is_answered": True, "question_id": question_id, "item_type": "question",
        "score": 3, "last_activity_date": int(at.timestamp()),
        "creation_date": int(at.timestamp()),
        "body": "<p>How do I descale the <span class=\"highlight\">Acme</span> Duo?</p>",
        "excerpt": "How do I descale the <span class=\"highlight\">Acme</span> Duo?",
        "title": "Descaling the Acme Duo &amp; friends",
    }
    if answer_id is not None:
        item.update(item_type="answer", answer_id=answer_id, body="<p>Use citric acid.</p>")
    return item


ITEMS = [excerpt(1, ago(hours=1)), excerpt(1, ago(hours=2), answer_id=21),
         excerpt(2, ago(hours=4))]


def answer(backoff: int | None = None) -> Callable[[RecordedRequest], Reply]:
    def reply(request: RecordedRequest) -> Reply:
        query = params(request)
        fresh = [i for i in ITEMS if int(str(i["creation_date"])) >= int(query["fromdate"])]
        page, size = int(query["page"]), 2
        data: dict[str, object] = {"items": fresh[(page - 1) * size:page * size],
                                   "has_more": page * size < len(fresh), "quota_max": 300,
                                   "quota_remaining": 290}
        if backoff:
            data["backoff"] = backoff
        return json_reply(data)
    return reply


def test_site_urls() -> None:
    assert compute_site_url("stackoverflow") == "https://stackoverflow.com"
    assert compute_site_url("unix") == "https://unix.stackexchange.com"


async def test_pages_while_has_more_from_the_mark(fixture_server: Start) -> None:
    server = fixture_server({"/2.3/search/excerpts": answer()})
    result = await run_search(server.url("/2.3"), "stackexchange", site="superuser")
    assert [d.url for d in result.documents] == [
        "https://superuser.com/q/1", "https://superuser.com/a/21", "https://superuser.com/q/2"]
    question, answer_ = result.documents[:2]
    assert question.title == "Descaling the Acme Duo & friends"
    assert question.text == "How do I descale the Acme Duo?"
    assert answer_.kind == "comment"
    assert answer_.parent_key == "stackexchange:https://superuser.com/q/1"
    asked = [params(r) for r in server.requests_for("/2.3/search/excerpts")]
    assert [a["page"] for a in asked] == ["1", "2"]
    assert asked[0]["site"] == "superuser"
    assert asked[0]["sort"] == "creation"

    server.clear_log()
    again = await run_search(server.url("/2.3"), "stackexchange", cursor=result.state.cursor)
    assert [d.url for d in again.documents] == ["https://stackoverflow.com/q/1"]


async def test_backoff_stops_the_pass(fixture_server: Start) -> None:
    server = fixture_server({"/2.3/search/excerpts": answer(backoff=10)})
    result = await run_search(server.url("/2.3"), "stackexchange")
    assert len(result.documents) == 2
    assert "asked to wait (10)" in result.warnings[0]
    assert len(server.requests_for("/2.3/search/excerpts")) == 1


async def test_throttle_and_malformed_answers(fixture_server: Start) -> None:
    throttled = json_reply({"error_id": 502, "error_name": "throttle_violation",
                            "error_message": "too many requests from this IP"}, 400)
    server = fixture_server({"/2.3/search/excerpts": throttled})
    with pytest.raises(HttpStatusError):
        await run_search(server.url("/2.3"), "stackexchange")
    server = fixture_server({"/2.3/search/excerpts": json_reply({"error_id": 502,
                                                                 "error_name": "x"})})
    with pytest.raises(ParseError, match="error 502"):
        await run_search(server.url("/2.3"), "stackexchange")
    server = fixture_server({"/2.3/search/excerpts": json_reply({"items": [{}]})})
    with pytest.raises(ParseError, match="not a Stack Exchange search answer"):
        await run_search(server.url("/2.3"), "stackexchange")
