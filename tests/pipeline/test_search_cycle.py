"""A search source in a collection cycle: the brands' queries are asked, the mark is kept."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, update

from monitor.config import Settings
from monitor.db.models import Brand, Mention, Source
from monitor.pipeline.collect import run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply


def _hit(item_id: int, text: str, at: datetime) -> dict[str, object]:
    return {"objectID": str(item_id), "author": "pg", "comment_text": text, "story_id": 1,
            "story_title": "Coffee", "parent_id": 1, "created_at_i": int(at.timestamp()),
            "_tags": ["comment"]}


def _algolia(request: RecordedRequest) -> Reply:
    query = parse_qs(urlsplit(request.path).query)["query"][0]
    now = datetime.now(UTC)
    hits = {"Acme": [_hit(2, "The Acme Duo broke", now - timedelta(hours=1)),
                     _hit(3, "Acme pie recipe", now - timedelta(hours=2))],
            "Globex": [_hit(4, "Globex is fine", now - timedelta(hours=6))]}.get(query, [])
    body = {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1, "hitsPerPage": 100}
    return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def test_search_source_asks_each_brand_query_and_matches_locally(runtime: Runtime) -> None:
    server = FixtureServer({"/api/v1/search_by_date": _algolia}).start()
    try:
        settings = Settings(
            database=runtime.settings.database.model_dump(),
            collector={"allow_private_networks": True},
            brands=[{"name": "Acme", "query": "Acme NOT pie"},
                    {"name": "Globex", "query": "Globex"}],
            sources=[{"name": "HN search", "url": server.url("/api/v1"), "kind": "search",
                      "options": {"engine": "hackernews"}}],
        )
        configured = Runtime(settings, runtime.engine, runtime.sessions)
        sync_config(configured)
        report = asyncio.run(run_collect_cycle(configured, include_all=True))
    finally:
        server.stop()
    assert report.failed == [], [o.error for o in report.failed]
    asked = sorted(parse_qs(urlsplit(r.path).query)["query"][0]
                   for r in server.requests_for("/api/v1/search_by_date"))
    assert asked == ["Acme", "Globex"]
    with runtime.sessions() as session:
        mentions = list(session.scalars(select(Mention)))
        source = session.scalars(select(Source)).one()
    assert len(mentions) == 2  # "Acme pie recipe" is found by the engine, refused locally
    assert source.fetch_cursor is not None
    assert len(json.loads(source.fetch_cursor)["since"]) == 2


def test_a_new_brand_is_searched_back_at_once_as_history(runtime: Runtime) -> None:
    server = FixtureServer({"/api/v1/search_by_date": _algolia}).start()
    source = {"name": "HN search", "url": server.url("/api/v1"), "kind": "search",
              "options": {"engine": "hackernews", "backfill_days": "10"}}

    def configure(brands: list[dict[str, str]]) -> Runtime:
        settings = Settings(database=runtime.settings.database.model_dump(),
                            collector={"allow_private_networks": True},
                            brands=brands, sources=[source])
        configured = Runtime(settings, runtime.engine, runtime.sessions)
        sync_config(configured)
        return configured

    try:
        first = configure([{"name": "Acme", "query": "Acme"}])
        asyncio.run(run_collect_cycle(first))
        with runtime.sessions() as session:
            session.execute(update(Source).values(
                next_check_at=datetime.now(UTC) + timedelta(hours=1)))
            session.commit()
        server.clear_log()
        second = configure([{"name": "Acme", "query": "Acme"},
                            {"name": "Globex", "query": "Globex"}])
        before = datetime.now(UTC) - timedelta(days=10)
        asyncio.run(run_collect_cycle(second))  # only due sources: the search is due again
        after = datetime.now(UTC) - timedelta(days=10)
    finally:
        server.stop()
    asked = {parse_qs(urlsplit(r.path).query)["query"][0]:
             parse_qs(urlsplit(r.path).query)["numericFilters"][0]
             for r in server.requests_for("/api/v1/search_by_date")}
    assert set(asked) == {"Acme", "Globex"}
    since = int(asked["Globex"].split(">=")[1])
    assert int(before.timestamp()) <= since <= int(after.timestamp())
    with runtime.sessions() as session:
        globex = session.scalars(select(Mention).join(Brand).where(Brand.name == "Globex")).one()
    # Six hours old (older than the first-crawl news window), found by looking back: history.
    assert globex.backfill
