"""The mentions, brands and sources routes, on SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from monitor.db.engine import unit_of_work
from monitor.db.repositories import (
    BrandRepository,
    DocumentRepository,
    MentionRepository,
    SourceRepository,
)
from monitor.db.repositories.brands import BrandSpec
from monitor.db.repositories.sources import SourceSpec
from monitor.runtime import Runtime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _seed(runtime: Runtime) -> None:
    """Acme: 3 posts and 2 comments; Globex: 1 post; one Acme post is a syndicated copy."""
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).sync_from_config(
            [SourceSpec("Brew", "https://brew.example/feed/", "rss", timedelta(minutes=30))], NOW)
        BrandRepository(session).sync_from_config(
            [BrandSpec("Acme", "Acme"), BrandSpec("Globex", "Globex")], NOW)
        source = SourceRepository(session).list_all()[0]
        brands = {b.name: b.id for b in BrandRepository(session).list_all()}
        docs = DocumentRepository(session).insert_new([
            _doc(source.id, f"p{i}", "post" if i < 4 else "comment", NOW - timedelta(hours=i))
            for i in range(6)
        ])
        mentions = [
            _mention(docs[f"p{i}"], brands["Acme"], NOW - timedelta(hours=i),
                     ["positive", "negative", "neutral", "negative", "positive", "negative"][i])
            for i in (0, 1, 2, 4, 5)
        ] + [_mention(docs["p3"], brands["Globex"], NOW - timedelta(hours=3), "positive")]
        MentionRepository(session).insert_many(mentions)
        original = docs["p0"]
        copy = DocumentRepository(session).insert_new(
            [_doc(source.id, "copy", "post", NOW - timedelta(minutes=30), dup=original)])
        MentionRepository(session).insert_many(
            [_mention(copy["copy"], brands["Acme"], NOW - timedelta(minutes=30), "positive")])


def _doc(source_id: int, key: str, kind: str, at: datetime, dup: int | None = None
         ) -> dict[str, Any]:
    return {
        "source_id": source_id, "key": key, "url": f"https://brew.example/{key}/", "kind": kind,
        "author": "Nadia", "published_at": at, "discovered_at": at, "title": f"Post {key}",
        "text": f"Acme espresso {key} <b>bold</b>", "thread_url": "https://brew.example/t/",
        "thread_title": "Thread", "parent_key": None, "language": "en", "engagement": {},
        "content_hash": key.ljust(64, "0")[:64], "sentiment_score": 0.1, "duplicate_of_id": dup,
    }


def _mention(document_id: int, brand_id: int, at: datetime, label: str) -> dict[str, Any]:
    return {
        "document_id": document_id, "brand_id": brand_id, "sort_at": at,
        "spans": [["text", 0, 4]], "snippet": "Acme espresso", "sentiment_score": 0.5,
        "sentiment_label": label, "sentiment_confidence": 0.7, "sentiment_override": None,
        "topics": [], "created_at": at,
    }


def test_health_needs_no_key_and_reports_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "detail": None}


def test_every_other_route_needs_a_valid_key(client: TestClient, auth: dict[str, str]) -> None:
    for path in ("/api/v1/mentions", "/api/v1/brands", "/api/v1/sources"):
        missing = client.get(path)
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "unauthorized"
        assert client.get(path, headers={"Authorization": "Bearer bm_wrong"}).status_code == 401
        assert client.get(path, headers={"Authorization": "Basic abc"}).status_code == 401
        assert client.get(path, headers=auth).status_code == 200


def test_mentions_listing_shape(client: TestClient, auth: dict[str, str], runtime: Runtime
                                ) -> None:
    _seed(runtime)
    body = client.get("/api/v1/mentions", headers=auth).json()
    first = body["items"][0]
    assert set(first) >= {
        "id", "brand", "url", "title", "author", "kind", "published_at", "snippet",
        "sentiment", "topics", "language", "source", "thread", "duplicate_of", "state",
    }
    assert first["brand"] == "Acme"
    assert first["kind"] == "post"
    assert first["published_at"] == "2026-11-20T12:00:00Z"
    assert first["sentiment"] == {"score": 0.5, "label": "positive", "confidence": 0.7}
    assert first["source"]["name"] == "Brew"
    assert first["thread"] == {"url": "https://brew.example/t/", "title": "Thread"}
    assert first["duplicate_of"] is None
    assert body["next_cursor"] is None
    assert len(body["items"]) == 6  # the syndicated copy is hidden by default


def test_mentions_filters(client: TestClient, auth: dict[str, str], runtime: Runtime) -> None:
    _seed(runtime)

    def ids(**params: Any) -> list[str]:
        response = client.get("/api/v1/mentions", headers=auth, params=params)
        assert response.status_code == 200, response.text
        return [item["url"] for item in response.json()["items"]]

    assert len(ids(brand="Acme")) == 5
    assert ids(brand="Globex") == ["https://brew.example/p3/"]
    assert ids(brand="Acme", sentiment="negative") == ["https://brew.example/p1/",
                                                      "https://brew.example/p5/"]
    assert len(ids(kind="comment")) == 2
    assert ids(since="2026-11-20T10:30:00Z") == ["https://brew.example/p0/",
                                                 "https://brew.example/p1/"]
    assert ids(until="2026-11-20T08:00:00", brand="Acme") == ["https://brew.example/p5/"]
    assert len(ids(q="espresso p1")) == 1
    assert len(ids(include_duplicates="true")) == 7


def test_mentions_cursor_pages(client: TestClient, auth: dict[str, str], runtime: Runtime
                               ) -> None:
    _seed(runtime)
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        body = client.get("/api/v1/mentions", headers=auth, params=params).json()
        seen += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 6


def test_a_listed_mention_reads_as_its_detail_does(client: TestClient, auth: dict[str, str],
                                                   runtime: Runtime) -> None:
    """The listing reads plain columns, the detail whole rows: every field they share agrees,
    including triage state, tags, an override and a mute."""
    _seed(runtime)
    listed = client.get("/api/v1/mentions", headers=auth,
                        params={"include_duplicates": "true"}).json()["items"]
    target = listed[1]["id"]
    change = {"state": "needs_reply", "tags": ["vip"], "sentiment": "negative"}
    assert client.patch(f"/api/v1/mentions/{target}", headers=auth,
                        json=change).status_code == 200
    listed = client.get("/api/v1/mentions", headers=auth,
                        params={"include_duplicates": "true"}).json()["items"]
    for item in listed:
        detail = client.get(f"/api/v1/mentions/{item['id']}", headers=auth).json()
        assert {k: detail[k] for k in item} == item
    changed = next(item for item in listed if item["id"] == target)
    assert (changed["state"], changed["tags"], changed["sentiment"]["label"]) == (
        "needs_reply", ["vip"], "negative")
    assert any(item["duplicate_of"] for item in listed)


def test_bad_parameters_are_422_with_a_stable_shape(client: TestClient, auth: dict[str, str]
                                                    ) -> None:
    for params in ({"limit": 201}, {"limit": 0}, {"sentiment": "angry"}, {"since": "yesterday"},
                   {"cursor": "garbage"}, {"kind": "tweet"}):
        response = client.get("/api/v1/mentions", headers=auth, params=params)
        assert response.status_code == 422, params
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}


def test_brands_and_sources_with_fetch_health(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    with unit_of_work(runtime.sessions) as session:
        source = SourceRepository(session).list_all()[0]
        SourceRepository(session).record_failure(
            source.id, now=NOW, status="error", error="FetchTimeout: too slow",
            next_check_at=NOW + timedelta(hours=1))
    brands = client.get("/api/v1/brands", headers=auth).json()
    assert [(b["name"], b["query"]) for b in brands] == [("Acme", "Acme"), ("Globex", "Globex")]
    [source_out] = client.get("/api/v1/sources", headers=auth).json()
    assert source_out["last_error"] == "FetchTimeout: too slow"
    assert source_out["error_count"] == 1
    assert source_out["last_fetched_at"] == "2026-11-20T12:00:00Z"
    assert source_out["next_check_at"] == "2026-11-20T13:00:00Z"
