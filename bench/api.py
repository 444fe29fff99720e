"""The API's queries at a million mentions: p50/p95 per query type on SQLite and Postgres.

Builds 1,000,000 mentions (50 brands, 90 days; about 9% of documents name two brands) with
bulk inserts (COPY on Postgres), refreshes planner statistics as the service does, then times
the repository calls behind each API route: the mentions listing (first page, a deep cursor
page, brand + sentiment, full text with a common and a rare word), 30-day daily trends for one
brand and for all brands, and the alert feed. The baseline is the target, 50 ms at p95.
Run::

    .venv/bin/python bench/api.py [--mentions 1000000] [--repeat 20] [--postgres URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

from scratch_db import postgres_database, sqlite_database

# Run as a script, this file's directory comes first on the path and its name hides the
# ``api`` package it measures.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from api.routes.trends import compute_trends, trend_request
from monitor.db.engine import build_engine
from monitor.db.migrate import upgrade_database
from monitor.db.repositories.alerts import AlertFilter, AlertRepository
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.db.repositories.mentions import MentionFilter, MentionRepository

TARGET_MS = 50.0
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BRANDS, DAYS, SOURCES, CHUNK = 50, 90, 500, 50_000
COMMON = ["good", "service", "price", "today", "new", "order", "love", "bad", "support"]
FILLER = [f"word{n}" for n in range(3000)]
RARE = "quixotical"  # in about one document in 20,000
LABELS = ["positive", "negative", "neutral", "neutral", "unscored"]


def _document(n: int, rng: random.Random) -> dict[str, Any]:
    words = rng.choices(FILLER, k=25) + rng.sample(COMMON, 3)
    if n % 20_000 == 7:
        words.append(RARE)
    rng.shuffle(words)
    at = NOW - timedelta(seconds=rng.randrange(DAYS * 86_400))
    site = f"site{n % SOURCES}.example.com"
    return {
        "id": n + 1, "source_id": n % SOURCES + 1, "key": f"doc-{n}",
        "url": f"https://{site}/p/{n}", "kind": "post" if n % 3 else "comment",
        "author": f"author{n % 5000}", "published_at": at, "discovered_at": at,
        "title": f"Post {n}", "text": " ".join(words),
        "thread_url": f"https://{site}/p/{n - n % 7}", "thread_title": "A thread",
        "parent_key": None, "language": "en", "engagement": "{}",
        "content_hash": f"{n:064x}", "sentiment_score": None, "duplicate_of_id": None,
        "state": "new", "snoozed_until": None, "state_changed_at": None,
    }


def _mention(mention_id: int, doc: dict[str, Any], brand: int, rng: random.Random
             ) -> dict[str, Any]:
    label = rng.choice(LABELS)
    score = {"positive": 0.6, "negative": -0.6}.get(label, 0.0)
    return {
        "id": mention_id, "document_id": doc["id"], "brand_id": brand,
        "sort_at": doc["published_at"], "spans": "[]", "snippet": doc["text"][:120],
        "sentiment_score": score, "sentiment_label": label, "sentiment_confidence": 0.8,
        "sentiment_override": None, "topics": '["service"]' if brand % 3 else "[]",
        "created_at": doc["published_at"], "backfill": False,
        "site": doc["url"].split("/")[2], "engagement": rng.randrange(50), "hidden_by_id": None,
    }


def build_store(engine: Engine, mentions: int) -> float:
    """Load the store; returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(20261204)
    with engine.begin() as connection:
        _insert(connection, "brands", [
            {"id": b, "name": f"Brand{b}", "query": f"Brand{b}", "enabled": True,
             "from_config": False, "created_at": NOW, "updated_at": NOW}
            for b in range(1, BRANDS + 1)])
        _insert(connection, "sources", [
            {"id": s, "name": f"Source {s}", "url": f"https://site{s - 1}.example.com/feed",
             "kind": "rss", "host": f"site{s - 1}.example.com", "interval_s": 1800,
             "enabled": True, "options": "{}", "from_config": False, "next_check_at": NOW,
             "error_count": 0, "created_at": NOW} for s in range(1, SOURCES + 1)])
        _insert(connection, "alerts", [_alert(a, rng) for a in range(1, 2001)])
    mention_id, doc_number = 0, 0
    while mention_id < mentions:
        docs, rows = [], []
        while len(rows) < CHUNK and mention_id < mentions:
            doc = _document(doc_number, rng)
            docs.append(doc)
            doc_number += 1
            for brand in _brands_of(rng)[: mentions - mention_id]:
                mention_id += 1
                rows.append(_mention(mention_id, doc, brand, rng))
        with engine.begin() as connection:
            _insert(connection, "documents", docs)
            _insert(connection, "mentions", rows)
    _after_load(engine)
    return time.perf_counter() - started


def _brands_of(rng: random.Random) -> list[int]:
    first = rng.randint(1, BRANDS)
    if rng.random() < 0.09:
        return [first, first % BRANDS + 1]
    return [first]


def _alert(n: int, rng: random.Random) -> dict[str, Any]:
    at = NOW - timedelta(hours=n)
    return {
        "id": n, "brand_id": rng.randint(1, BRANDS), "subject_id": None, "subject": "Brand",
        "kind": "volume_spike", "severity": rng.choice(["info", "warning", "critical"]),
        "state": "open", "title": f"Alert {n}", "summary": "More mentions than usual",
        "window_start": at, "window_end": at + timedelta(hours=1), "mention_count": 40,
        "explanation": "{}", "notifications": 0, "created_at": at, "last_seen_at": at,
        "updated_at": at, "acknowledged_at": None, "resolved_at": None,
    }


def _insert(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[_sqlite_value(row[c]) for c in columns] for row in rows])


def _sqlite_value(value: Any) -> Any:
    # The schema's UTC columns hold naive UTC text on SQLite.
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def _after_load(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in ("brands", "sources", "alerts", "documents", "mentions"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
        refresh_planner_statistics(connection)


def queries(session: Session) -> dict[str, Callable[[], object]]:
    mentions = MentionRepository(session)
    deep = mentions.list_page(MentionFilter(), limit=50, cursor=None)
    for _ in range(40):  # 2,000 mentions down
        deep = mentions.list_page(MentionFilter(), limit=50, cursor=deep.next_cursor)
    cursor = deep.next_cursor

    def trends(brand: str | None) -> Callable[[], object]:
        request = trend_request(MentionFilter(brand=brand), "day", NOW)
        return lambda: compute_trends(session, replace(request))

    def page(filters: MentionFilter, at: str | None = None) -> Callable[[], object]:
        return lambda: mentions.list_page(filters, limit=50, cursor=at)

    return {
        "first page": page(MentionFilter()),
        "deep cursor": page(MentionFilter(), cursor),
        "brand+sentiment": page(MentionFilter(brand="Brand7", sentiment="negative")),
        "q common word": page(MentionFilter(q="good")),
        "q rare word": page(MentionFilter(q=RARE)),
        "trends 30d one brand": trends("Brand7"),
        "trends 30d all brands": trends(None),
        "alert feed": lambda: AlertRepository(session).list_page(AlertFilter(), limit=50,
                                                                 cursor=None),
    }


def measure(engine: Engine, repeat: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with Session(engine) as session:
        for name, call in queries(session).items():
            call()  # warm the cache as a running service has it
            rounds = repeat if not name.startswith("trends") else max(3, repeat // 4)
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
            p50 = statistics.median(times)
            p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
            results[name] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                             "p95_vs_target": round(p95 / TARGET_MS, 2)}
            flag = "ok" if p95 < TARGET_MS else "MISSED"
            print(f"  {name:<24} p50 {p50:9.1f} ms   p95 {p95:9.1f} ms   "
                  f"{p95 / TARGET_MS:6.2f}x target  {flag}")
    return results


def run(name: str, url: str, args: argparse.Namespace) -> dict[str, object]:
    engine = build_engine(url)
    try:
        upgrade_database(engine)
        seconds = build_store(engine, args.mentions)
        print(f"{name}: {args.mentions} mentions loaded in {seconds:.0f} s")
        return {"load_s": round(seconds, 1), "queries": measure(engine, args.repeat)}
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    results: dict[str, object] = {"mentions": args.mentions, "target_p95_ms": TARGET_MS}
    if args.only != "postgres":
        with sqlite_database("api.db") as url:
            results["sqlite"] = run("sqlite", url, args)
    if args.postgres and args.only != "sqlite":
        with postgres_database(args.postgres, "bench_api") as url:
            results["postgres"] = run("postgres", url, args)
    print(json.dumps({"bench": "api", **results}))


if __name__ == "__main__":
    main()
