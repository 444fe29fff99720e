"""What the desk's reads cost as the mention store grows, as ratios within one run.

Seeds a fresh SQLite database (and Postgres when ``--postgres URL`` names an empty database
to use) with ``--mentions`` mentions, then times each read the desk makes against a baseline
measured in the same run on the same data:

* full-text search (FTS5 / GIN tsvector) against the substring scan it replaced
  (``ILIKE '%word%'`` over title and text), both returning the first page;
* the first inbox page, filtered by brand and state, against counting all mentions;
* the trends of a 30-day window (buckets, shares, topics, rising terms, top threads) against
  that same count;
* a deep page reached by cursor against the first page (keyset pagination should not slow
  down with depth);
* the p95 of the desk's hot reads, each against the p95 of that same count: the inbox's first
  page of items (one per document, with every brand's mention) by time and by priority, a
  whole thread (the post and its twenty comments, nested), and the start of a CSV export
  (header and first batch).

Run::

    .venv/bin/python bench/desk_bench.py [--mentions 20000] [--postgres postgresql+psycopg://…]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's directory comes first on the path, where bench/api.py would
# hide the ``api`` package measured here.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from api.routes.exports import iter_mentions_csv
from api.routes.threads import thread_view
from api.routes.trends import compute_trends, trend_request
from monitor.config import Settings
from monitor.db.engine import build_engine, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.db.models import Document, Mention
from monitor.db.repositories import (
    BrandRepository,
    DocumentRepository,
    MentionRepository,
    SourceRepository,
)
from monitor.db.repositories.brands import BrandSpec
from monitor.db.repositories.items import ItemRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.db.repositories.priorities import PriorityRepository
from monitor.db.repositories.sources import SourceSpec
from monitor.runtime import Runtime, open_runtime

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
VOCABULARY = [f"w{i}" for i in range(5000)]
ZIPF = [1 / (rank + 1) for rank in range(len(VOCABULARY))]  # word frequencies as in prose
LABELS = ("positive", "negative", "neutral", "neutral")


def seed(runtime: Runtime, count: int, rng: random.Random) -> None:
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).sync_from_config(
            [SourceSpec(f"s{i}", f"https://site{i}.example/feed", "rss", timedelta(minutes=30))
             for i in range(20)], NOW)
        BrandRepository(session).sync_from_config(
            [BrandSpec("Acme", "Acme"), BrandSpec("Globex", "Globex")], NOW)
        sources = [s.id for s in SourceRepository(session).list_all()]
        brands = [b.id for b in BrandRepository(session).list_all()]
    for start in range(0, count, 2000):
        with unit_of_work(runtime.sessions) as session:
            docs = [_document(i, rng, sources) for i in range(start, min(start + 2000, count))]
            ids = DocumentRepository(session).insert_new(docs)
            MentionRepository(session).insert_many(
                [_mention(ids[d["key"]], d, rng, brands) for d in docs])
            PriorityRepository(session).refresh(list(ids.values()))  # as the collector does


def _document(i: int, rng: random.Random, sources: list[int]) -> dict[str, Any]:
    at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
    text = "Acme " + " ".join(rng.choices(VOCABULARY, ZIPF, k=rng.randint(20, 80)))
    return {
        "source_id": rng.choice(sources), "key": f"k{i}", "url": f"https://site.example/{i}",
        "kind": "post" if i % 20 == 0 else "comment", "author": f"user{rng.randrange(500)}",
        "published_at": at, "discovered_at": at,
        "title": " ".join(rng.choices(VOCABULARY, ZIPF, k=5)),
        "text": text, "thread_url": f"https://site.example/t/{i // 20}", "thread_title": None,
        "parent_key": None if i % 20 == 0 else f"k{i - i % 20}", "language": "en",
        "engagement": {"score": rng.randrange(100)},
        "content_hash": f"{i:064d}", "sentiment_score": 0.0, "duplicate_of_id": None,
        "state": rng.choice(("new", "new", "seen")),
    }


def _mention(doc_id: int, doc: dict[str, Any], rng: random.Random, brands: list[int]
             ) -> dict[str, Any]:
    return {
        "document_id": doc_id, "brand_id": rng.choice(brands), "sort_at": doc["published_at"],
        "spans": [["text", 0, 4]], "snippet": doc["text"][:200],
        "sentiment_score": rng.uniform(-1, 1), "sentiment_label": rng.choice(LABELS),
        "sentiment_confidence": 0.5, "sentiment_override": None,
        "topics": rng.sample(["price", "support", "quality"], k=rng.randint(0, 2)),
        "created_at": doc["published_at"],
    }


def best_of(action: Callable[[], object], repeat: int = 7) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def p95_of(action: Callable[[], object], repeat: int = 60) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.quantiles(runs, n=20)[-1]


def csv_start(runtime: Runtime) -> None:
    chunks = iter_mentions_csv(runtime, MentionFilter(as_of=NOW))
    next(chunks)  # the header
    next(chunks)  # the first batch of rows
    chunks.close()


def measure_hot_reads(runtime: Runtime) -> list[tuple[str, float, float]]:
    """p95 of the inbox's first page, a thread page and a CSV export's start, each against
    the p95 of counting all mentions."""
    with runtime.sessions() as session:
        items = ItemRepository(session)
        thread_id = session.scalar(select(Document.thread_id).where(Document.key == "k200"))
        assert thread_id is not None
        inbox = MentionFilter(state="new", as_of=NOW)
        count = p95_of(lambda: session.scalar(select(func.count(Mention.id))))
        first = p95_of(lambda: items.list_page(inbox, limit=50, cursor=None))
        ranked = p95_of(lambda: items.list_page(inbox, limit=50, cursor=None, sort="priority"))
        thread = p95_of(lambda: thread_view(session, thread_id, NOW, None))
        session.rollback()
    start = p95_of(lambda: csv_start(runtime))
    return [("inbox first page of items, p95", first, count),
            ("inbox first page of items by priority (the dashboard's order), p95", ranked,
             count),
            ("thread page (post + 19 comments), p95", thread, count),
            ("CSV export start (header + first batch), p95", start, count)]


def measure(runtime: Runtime, label: str) -> dict[str, float]:
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        count = best_of(lambda: session.scalar(select(func.count(Mention.id))))
        pattern = "%w3 %"  # a frequent word (rank 4)
        scan = best_of(lambda: session.execute(
            select(Mention.id).join(Document, Mention.document_id == Document.id)
            .where(or_(Document.title.ilike(pattern), Document.text.ilike(pattern)))
            .order_by(Mention.sort_at.desc()).limit(50)).all())
        search = best_of(lambda: repo.list_page(MentionFilter(q="w3"), limit=50, cursor=None))
        rare_pattern = "%w4321 %"
        rare_scan = best_of(lambda: session.execute(
            select(Mention.id).join(Document, Mention.document_id == Document.id)
            .where(or_(Document.title.ilike(rare_pattern), Document.text.ilike(rare_pattern)))
            .order_by(Mention.sort_at.desc()).limit(50)).all())
        rare = best_of(lambda: repo.list_page(MentionFilter(q="w4321"), limit=50, cursor=None))
        inbox = MentionFilter(brand="Acme", state="new", as_of=NOW)
        first = best_of(lambda: repo.list_page(inbox, limit=50, cursor=None))
        cursor = None
        for _ in range(40):
            cursor = repo.list_page(inbox, limit=50, cursor=cursor).next_cursor
        deep = best_of(lambda: repo.list_page(inbox, limit=50, cursor=cursor))
        engaged = best_of(lambda: repo.list_page(inbox, limit=50, cursor=None, sort="engagement"))
        request = trend_request(MentionFilter(brand="Acme", since=NOW - timedelta(days=30),
                                              until=NOW), "day", NOW)
        trends = best_of(lambda: compute_trends(session, request), repeat=3)
    print(f"\n{label}: count(*) of all mentions takes {count * 1000:.2f} ms")
    rows = [
        ("full-text search, a frequent word (vs substring scan)", search, scan),
        ("full-text search, a rare word (vs substring scan)", rare, rare_scan),
        ("inbox first page, brand + state", first, count),
        ("inbox page 41 by cursor (vs first page)", deep, first),
        ("inbox first page by engagement (vs by time)", engaged, first),
        ("trends, 30 days by day", trends, count),
    ]
    rows += measure_hot_reads(runtime)
    for name, value, baseline in rows:
        print(f"  {name:<55} {value / baseline:8.2f}× its baseline  ({value * 1000:.1f} ms)")
    return {name: round(value * 1000, 2) for name, value, _ in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--postgres", default="", help="an empty Postgres database to fill")
    args = parser.parse_args()
    rng = random.Random(7)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        urls = [("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")]
        if args.postgres:
            urls.append(("Postgres", args.postgres))
        for label, url in urls:
            engine = build_engine(url)
            upgrade_database(engine)
            engine.dispose()
            runtime = open_runtime(Settings(database={"url": url}))
            seed(runtime, args.mentions, rng)
            with runtime.engine.connect() as connection:  # as autovacuum would, in time
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
            figures[label] = measure(runtime, f"{label}, {args.mentions} mentions")
            runtime.dispose()
    print(json.dumps({"bench": "desk", "mentions": args.mentions, "ms": figures}))


if __name__ == "__main__":
    main()
