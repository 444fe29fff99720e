"""CSV exports: the mention listing's filters, streamed without a row limit; trends."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, text

from api.routes.exports import iter_mentions_csv
from monitor.db.engine import unit_of_work
from monitor.db.models import UTCDateTime
from monitor.db.repositories import BrandRepository, SourceRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

BIG = 100_000
TEXT = "Acme " + "espresso crema grinder " * 12


def _rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_csv_has_the_listing_filters_and_defuses_formulas(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    seed(runtime, [
        Doc("a", NOW, title="=HYPERLINK(\"http://evil\")", brands={"Acme": "negative"},
            text="Acme, \"quoted\", and a\nnewline"),
        Doc("b", NOW - timedelta(hours=1), brands={"Acme": "positive", "Globex": "neutral"}),
    ])
    response = client.get("/api/v1/mentions.csv", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _rows(response)
    assert [(r["brand"], r["sentiment"]) for r in rows] == [
        ("Acme", "negative"), ("Globex", "neutral"), ("Acme", "positive")]
    assert rows[0]["title"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["snippet"] == "Acme, \"quoted\", and a\nnewline"
    listed = client.get("/api/v1/mentions", headers=auth, params={"brand": "Acme",
                                                                  "sentiment": "positive"})
    exported = _rows(client.get("/api/v1/mentions.csv", headers=auth,
                                params={"brand": "Acme", "sentiment": "positive"}))
    assert [int(r["mention_id"]) for r in exported] == [
        m["id"] for m in listed.json()["items"]]
    bad = client.get("/api/v1/mentions.csv", headers=auth, params={"brand": "Initech"})
    assert bad.status_code == 422
    assert "Initech" in bad.json()["error"]["message"]
    assert client.get("/api/v1/mentions.csv").status_code == 401


def test_trends_csv_has_one_row_per_bucket(client: TestClient, auth: dict[str, str],
                                           runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW - timedelta(days=1), brands={"Acme": "negative"}),
                   Doc("b", NOW, brands={"Acme": "positive"})])
    response = client.get("/api/v1/trends.csv", headers=auth, params={
        "interval": "day", "since": (NOW - timedelta(days=2)).isoformat(),
        "until": (NOW + timedelta(hours=1)).isoformat()})
    assert response.status_code == 200
    rows = _rows(response)
    assert sum(int(r["mentions"]) for r in rows) == 2
    assert sum(int(r["negative"]) for r in rows) == 1


def _seed_many(runtime: Runtime, count: int) -> None:
    """``count`` mentions written by the database itself: a test, not a crawl, of the export."""
    seed(runtime, [])  # sources and brands
    with runtime.sessions() as session:
        source_id = SourceRepository(session).list_all()[0].id
        brand_id = BrandRepository(session).get_by_name("Acme").id  # type: ignore[union-attr]
    at = bindparam("at", NOW, type_=UTCDateTime())
    values = {"src": source_id, "brand": brand_id, "text": TEXT, "last": count - 1}
    with unit_of_work(runtime.sessions) as session:
        session.execute(text(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :last) "
            "INSERT INTO documents (source_id, key, url, kind, author, published_at, "
            "discovered_at, title, text, language, engagement, content_hash, state) "
            "SELECT :src, 'k' || i, 'https://forum.example/t/' || i, 'comment', 'nadia', :at, "
            ":at, '', :text, 'en', '{}', 'h' || i, 'new' FROM n").bindparams(at), values)
        session.execute(text(
            "INSERT INTO mentions (document_id, brand_id, sort_at, spans, snippet, "
            "sentiment_score, sentiment_label, sentiment_confidence, topics, created_at, "
            "backfill, site, engagement) SELECT id, :brand, :at, '[]', :text, 0, 'neutral', "
            "0.5, '[]', :at, false, 'forum.example', 0 FROM documents").bindparams(at),
            values)
    with runtime.engine.connect() as connection:  # as autovacuum would, in time
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


@pytest.mark.timeout(400)
def test_100k_mentions_stream_in_bounded_memory(runtime: Runtime, database_url: str) -> None:
    _seed_many(runtime, BIG)
    # Memory is traced on SQLite only: the batching is the same code on both engines, and
    # tracing every allocation of a Postgres export would multiply its run time.
    traced = database_url.startswith("sqlite")
    lines = written = peak = 0
    if traced:
        tracemalloc.start()
    try:
        for chunk in iter_mentions_csv(runtime, MentionFilter(as_of=NOW)):
            lines += chunk.count("\r\n")
            written += len(chunk)
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == BIG + 1  # the header, then every mention
    assert written > 25_000_000
    assert peak < 8_000_000  # a batch or two's worth, not the whole export


def test_a_bad_filter_is_refused_before_the_stream_starts(
    client: TestClient, auth: dict[str, str]
) -> None:
    missing = client.get("/api/v1/mentions.csv", headers=auth, params={"alert": 999_999})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no alert with id 999999"
    unknown = client.get("/api/v1/mentions.csv", headers=auth, params={"brand": "Initech"})
    assert unknown.status_code == 422
