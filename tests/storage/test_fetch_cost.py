"""The cost of storing one fetch does not grow with the store.

The same fetch is stored against a small and a large store (bulk-loaded through Core): it must
run the same number of queries, and none of them may read a whole large table.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, event, func, insert, select

from collectors.document import CollectResult, Document, FetchState, ThreadRef
from monitor.config import CollectorSettings
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand, DocumentBand, Mention, Source, ThreadWatch
from monitor.db.models import Document as StoredDocument
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.pipeline.analyser import build_analyser
from monitor.pipeline.jobs import SourceJob
from monitor.runtime import Runtime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SMALL, LARGE = 1_000, 100_000
DOCS_PER_THREAD = 10
LARGE_TABLES = ("documents", "mentions", "thread_watches", "document_bands",
                "document_fingerprints")
BODY = ("Acme makes the espresso machine we bought last spring and it has worked every single "
        "morning since then without a hiccup, which is more than I can say for the grinder "
        "from the other shop down the road that broke twice before the summer was over.")

Statement = tuple[str, Any]


def _thread(n: int) -> str:
    return f"https://blog.example.com/post-{n}"


def _setup(runtime: Runtime) -> tuple[int, int]:
    with unit_of_work(runtime.sessions) as session:
        brand = Brand(name="Acme", query="Acme", enabled=True, created_at=NOW, updated_at=NOW)
        source = Source(name="Blog", url="https://blog.example.com/feed/", kind="rss",
                        host="blog.example.com", interval_s=1800, enabled=True, options={},
                        next_check_at=NOW, error_count=0, created_at=NOW)
        session.add_all([brand, source])
        session.flush()
        return brand.id, source.id


def _grow_store(runtime: Runtime, brand_id: int, source_id: int, start: int, stop: int) -> None:
    """Bulk-insert documents ``start..stop`` with their threads, watches, mentions, bands.

    Thread n holds documents 10n..10n+9; even threads hold a mention.
    """
    with runtime.engine.begin() as connection:
        for low in range(start, stop, 20_000):
            numbers = range(low, min(low + 20_000, stop))
            last = connection.scalar(select(func.max(StoredDocument.id))) or 0
            # Plain executemany (no RETURNING): psycopg pipelines it instead of parsing one
            # statement with a hundred thousand placeholders.
            connection.execute(insert(StoredDocument), [_document(n, source_id) for n in numbers])
            ids = connection.scalars(select(StoredDocument.id).where(StoredDocument.id > last)
                                     .order_by(StoredDocument.id)).all()
            connection.execute(insert(Mention), [
                _mention(doc_id, brand_id) for doc_id in ids[::2 * DOCS_PER_THREAD]])
            connection.execute(insert(ThreadWatch), [
                _watch(n, source_id) for n in numbers if n % DOCS_PER_THREAD == 0])
            connection.execute(insert(DocumentBand), [
                {"band_key": f"m1:00:{doc_id:016x}", "document_id": doc_id} for doc_id in ids])
        refresh_planner_statistics(connection)


def _document(n: int, source_id: int) -> dict[str, Any]:
    return {
        "source_id": source_id, "key": f"store-{n}", "url": f"{_thread(n // 10)}#c{n}",
        "kind": "comment", "author": "Ann", "published_at": NOW, "discovered_at": NOW,
        "title": "", "text": f"comment {n}", "thread_url": _thread(n // DOCS_PER_THREAD),
        "thread_title": "a post", "parent_key": None, "language": "en", "engagement": {},
        "content_hash": f"{n:064x}", "sentiment_score": None, "duplicate_of_id": None,
    }


def _mention(doc_id: int, brand_id: int) -> dict[str, Any]:
    return {"document_id": doc_id, "brand_id": brand_id, "sort_at": NOW, "spans": [],
            "snippet": "", "topics": [], "state": "new", "created_at": NOW, "site": "",
            "engagement": 0, "sentiment_score": 0.0, "sentiment_label": "neutral",
            "sentiment_confidence": 0.0, "backfill": False}


def _watch(n: int, source_id: int) -> dict[str, Any]:
    thread = _thread(n // DOCS_PER_THREAD)
    return {"source_id": source_id, "url": f"{thread}/feed/", "kind": "rss",
            "thread_url": thread, "thread_title": "a post", "next_check_at": NOW,
            "error_count": 0, "created_at": NOW, "from_first_crawl": False,
            "follow_until": None}


def _fetch(round_name: str, first_thread: int) -> CollectResult:
    """A feed with a new post naming the brand and comments on three stored threads: one
    holding a mention, one mentioned by this fetch, one never mentioned."""
    post_thread = f"https://blog.example.com/{round_name}"
    mentioned, mentioning, quiet = (_thread(first_thread + i) for i in (0, 1, 3))
    documents = [
        Document(key=f"{round_name}-post", url=post_thread, kind="post", title="Our machine",
                 text=_body(round_name), thread_url=post_thread, published_at=NOW),
        _comment(f"{round_name}-c1", mentioned, "Mine too."),
        _comment(f"{round_name}-c2", mentioning, "Acme again!"),
        _comment(f"{round_name}-c3", quiet, "Nice photos."),
    ]
    threads = [ThreadRef(url=f"{post_thread}/feed/", kind="rss", thread_url=post_thread)]
    return CollectResult(documents=documents, state=FetchState(), status=200, threads=threads)


def _comment(key: str, thread_url: str, text: str) -> Document:
    return Document(key=key, url=f"{thread_url}#{key}", kind="comment", title="", text=text,
                    thread_url=thread_url, published_at=NOW)


def _body(round_name: str) -> str:
    """The same words in another order each round: not a near-copy of another round's post."""
    words = BODY.split()
    random.Random(round_name).shuffle(words)
    return "Acme " + " ".join(words)


@contextmanager
def _recording(engine: Engine) -> Iterator[list[Statement]]:
    seen: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
               executemany: bool) -> None:
        if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", statement, re.IGNORECASE):
            # insertmanyvalues sends one flat parameter set even when flagged executemany.
            many = executemany and isinstance(parameters, list)
            seen.append((statement, parameters[0] if many else parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _store_fetch(runtime: Runtime, source_id: int, brand_id: int, round_name: str,
                 first_thread: int, now: datetime) -> list[Statement]:
    analyser = build_analyser(runtime.settings, {brand_id: "Acme"})
    with runtime.sessions() as session:
        job = SourceJob.from_row(session.get_one(Source, source_id))
    result = _fetch(round_name, first_thread)
    with _recording(runtime.engine) as statements:
        with runtime.reads() as reads:
            prepared = job.prepare(reads, analyser, result, now)
        with unit_of_work(runtime.sessions) as session:
            job.save_result(session, CollectorSettings(), prepared, result, now)
    return statements


def _plans(engine: Engine, statements: list[Statement]) -> list[list[str]]:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        plans = []
        for statement, parameters in statements:
            if engine.dialect.name == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plans.append([str(row[3]) for row in cursor.fetchall()])
            else:
                cursor.execute("EXPLAIN " + statement, parameters)
                plans.append([str(row[0]) for row in cursor.fetchall()])
        return plans
    finally:
        connection.close()


def _full_scans(plans: list[list[str]]) -> list[str]:
    pattern = re.compile(r"(?:^SCAN |Seq Scan on )(\w+)")
    return [line for plan in plans for line in plan
            if (m := pattern.search(line.strip())) and m.group(1) in LARGE_TABLES]


def test_storing_a_fetch_costs_the_same_in_a_small_and_a_large_store(runtime: Runtime) -> None:
    brand_id, source_id = _setup(runtime)
    _grow_store(runtime, brand_id, source_id, 0, SMALL)
    small = _store_fetch(runtime, source_id, brand_id, "small", 2, NOW)
    small_plans = _plans(runtime.engine, small)
    _grow_store(runtime, brand_id, source_id, SMALL, LARGE)
    large = _store_fetch(runtime, source_id, brand_id, "large", 12, NOW + timedelta(hours=1))
    large_plans = _plans(runtime.engine, large)

    assert len(large) == len(small)
    assert _full_scans(large_plans) == []
    if runtime.engine.dialect.name == "sqlite":
        # Postgres rightly reads a tiny table whole; SQLite's plans are the same at any size.
        assert large_plans == small_plans
    with runtime.sessions() as session:
        followed = session.scalars(select(ThreadWatch.thread_url).where(
            ThreadWatch.follow_until.is_not(None))).all()
    assert {_thread(2), _thread(3), _thread(12), _thread(13)} <= set(followed)
    assert not {_thread(5), _thread(15)} & set(followed)
