"""Trends: shape, empty buckets, and counts that agree exactly with the mentions listing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

DAY = timedelta(days=1)


def _seed(runtime: Runtime) -> None:
    docs = [
        Doc("a1", NOW - timedelta(hours=3), brands={"Acme": "positive"}, topics=["price"],
            thread_url="https://forum.example/t/1", thread_title="Prices", score=0.6,
            text="Acme recall announced for grinders"),
        Doc("a2", NOW - timedelta(hours=5), brands={"Acme": "negative", "Globex": "neutral"},
            topics=["price", "support"], thread_url="https://forum.example/t/1",
            thread_title="Prices", score=-0.4, text="Acme recall is a mess, Globex is fine"),
        Doc("a3", NOW - 2 * DAY, brands={"Acme": "negative"}, topics=["support"], score=-0.8,
            source="https://www.reddit.com/r/espresso/.rss", text="Acme recall again"),
        Doc("a4", NOW - 4 * DAY, brands={"Acme": "unscored"}, text="Acme something"),
        Doc("old", NOW - 20 * DAY, brands={"Acme": "positive"}, text="Acme lovely crema"),
    ]
    docs += [Doc(f"prev{i}", NOW - 8 * DAY - timedelta(hours=i), text="Acme lovely crema")
             for i in range(4)]
    seed(runtime, docs)


def _get(client: TestClient, auth: dict[str, str], path: str, **params: Any) -> Any:
    response = client.get(path, headers=auth, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_daily_buckets_oldest_first_with_empty_days(client: TestClient, auth: dict[str, str],
                                                    runtime: Runtime) -> None:
    _seed(runtime)
    since, until = (NOW - 5 * DAY).isoformat(), NOW.isoformat()
    body = _get(client, auth, "/api/v1/trends", brand="Acme", interval="day", since=since,
                until=until)
    assert body["brand"] == "Acme"
    assert body["interval"] == "day"
    days = [(b["start"][:10], b["mentions"], b["positive"], b["negative"], b["neutral"])
            for b in body["buckets"]]
    assert days == [("2026-11-15", 0, 0, 0, 0), ("2026-11-16", 1, 0, 0, 0),
                    ("2026-11-17", 0, 0, 0, 0), ("2026-11-18", 1, 0, 1, 0),
                    ("2026-11-19", 0, 0, 0, 0), ("2026-11-20", 2, 1, 1, 0)]
    assert body["buckets"][1]["unscored"] == 1
    assert body["buckets"][1]["avg_sentiment"] is None  # unscored only
    assert body["buckets"][5]["avg_sentiment"] == 0.1
    assert body["share_of_voice"] == [{"brand": "Acme", "mentions": 4, "share": 0.8},
                                      {"brand": "Globex", "mentions": 1, "share": 0.2}]
    assert body["top_topics"] == [{"topic": "price", "mentions": 2},
                                  {"topic": "support", "mentions": 2}]
    top = body["top_threads"][0]
    assert (top["url"], top["title"], top["mentions"]) == ("https://forum.example/t/1",
                                                           "Prices", 2)
    thread = client.get(f"/api/v1/threads/{top['id']}", headers=auth).json()
    assert thread["url"] == "https://forum.example/t/1"
    assert [s["name"] for s in body["top_sources"]] == ["Coffee forum", "r/espresso"]
    assert [t["term"] for t in body["rising_terms"]][:1] == ["recall"]


def test_counts_agree_with_the_mentions_listing(client: TestClient, auth: dict[str, str],
                                                runtime: Runtime) -> None:
    _seed(runtime)
    cases: list[dict[str, Any]] = [
        {}, {"brand": "Acme"}, {"brand": "Globex"}, {"source_kind": "reddit"},
        {"topic": "price"}, {"q": "recall"}, {"sentiment": "negative"},
        {"since": (NOW - 3 * DAY).isoformat(), "until": (NOW - timedelta(hours=4)).isoformat()},
    ]
    for interval in ("hour", "day", "week"):
        for case in cases:
            params = {"since": (NOW - 30 * DAY).isoformat(), "until": NOW.isoformat(), **case}
            trends = _get(client, auth, "/api/v1/trends", interval=interval, **params)
            listed = _get(client, auth, "/api/v1/mentions", limit=200, **params)["items"]
            assert sum(b["mentions"] for b in trends["buckets"]) == len(listed), case
            negatives = [m for m in listed if m["sentiment"]["label"] == "negative"]
            assert sum(b["negative"] for b in trends["buckets"]) == len(negatives), case


def test_default_window_and_bad_windows(client: TestClient, auth: dict[str, str]) -> None:
    body = _get(client, auth, "/api/v1/trends", interval="hour")
    assert len(body["buckets"]) in (48, 49)  # 48 hours back from the start of an hour
    assert all(b["mentions"] == 0 for b in body["buckets"])
    for params in ({"interval": "month"}, {"since": "2026-11-20", "until": "2026-11-19"},
                   {"interval": "hour", "since": "2020-01-01", "until": "2026-01-01"}):
        response = client.get("/api/v1/trends", headers=auth, params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] in ("invalid_input", "invalid_request")


def test_topic_and_source_counts_agree_with_their_listings(
        client: TestClient, auth: dict[str, str], runtime: Runtime) -> None:
    """Each topic and source on the trends page links to the listing filtered by it: the
    count shown is what that listing returns (the counts are pre-aggregated, the listing is
    not)."""
    _seed(runtime)
    cases: list[dict[str, Any]] = [{}, {"brand": "Acme"}, {"brand": "Globex"},
                                   {"sentiment": "negative"}, {"source_kind": "reddit"},
                                   {"brand": "Acme", "sentiment": "positive"}]
    for interval in ("hour", "day"):
        for case in cases:
            params = {"since": (NOW - 30 * DAY).isoformat(),
                      "until": (NOW + timedelta(minutes=7)).isoformat(), **case}
            trends = _get(client, auth, "/api/v1/trends", interval=interval, **params)
            for topic in trends["top_topics"]:
                listed = _get(client, auth, "/api/v1/mentions", limit=200,
                              topic=topic["topic"], **params)["items"]
                assert topic["mentions"] == len(listed), (case, topic)
            for source in trends["top_sources"]:
                listed = _get(client, auth, "/api/v1/mentions", limit=200,
                              source=source["id"], **params)["items"]
                assert source["mentions"] == len(listed), (case, source)
            total = sum(b["mentions"] for b in trends["buckets"])
            assert sum(s["mentions"] for s in trends["top_sources"]) == total, case
