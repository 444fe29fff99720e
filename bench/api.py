"""The API's queries at a million mentions: p50/p95 per query type on SQLite and Postgres.

Builds 1,000,000 mentions (50 brands of very different sizes, 90 days busier lately, posts and
comments, a sentiment mix, topics, 3% syndicated copies and 0.5% muted mentions hidden, about
9% of documents naming two brands) after the migrations, with bulk inserts (COPY on Postgres)
and the secondary indexes built after the load, refreshes planner statistics as the service
does, then times
the repository calls behind each API route: the mentions listing (first page, a deep cursor
page, brand + sentiment, full text with a common and a rare word), 30-day daily trends for one
brand and for all brands, and the alert feed. The baseline is the target, 50 ms at p95.
Run::

    .venv/bin/python bench/api.py [--mentions 1000000] [--repeat 20] [--postgres URL]

Built stores are kept for the next run (SQLite files under ``--cache``, Postgres databases
named ``bench_api_<size>_v<version>``); ``--rebuild`` builds them afresh. A kept store is
brought to the newest migration before it is measured.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's directory comes first on the path and its name hides the
# ``api`` package it measures.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import importlib.util
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from api.routes.trends import compute_trends, trend_request
from monitor.db.engine import build_engine
from monitor.db.migrate import MIGRATIONS_DIR, upgrade_database
from monitor.db.repositories.alerts import AlertFilter, AlertRepository
from monitor.db.repositories.items import ItemRepository
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.db.repositories.trends import TrendRepository

TARGET_MS = 50.0
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BRANDS, DAYS, SOURCES, CHUNK = 50, 90, 500, 50_000
BUILD_VERSION = 2  # bump when the generated data changes: cached stores are rebuilt
COMMON = ["good", "service", "price", "today", "new", "order", "love", "bad", "support"]
FILLER = [f"word{n}" for n in range(3000)]
RARE = "quixotical"  # in about one document in 20,000
MIDDLE = "word2999"  # in about one document in 120
LABELS = ["positive", "negative", "neutral", "unscored"]
LABEL_WEIGHTS = [25, 20, 50, 5]
TOPICS = ["service", "price", "delivery", "quality", "support"]
# Brand sizes follow a Zipf-like law: the biggest brand has ~15% of the mentions.
BRAND_WEIGHTS = [1 / (rank ** 0.9) for rank in range(1, BRANDS + 1)]
DUPLICATE_SHARE = 0.03  # syndicated copies, hidden from the default listing
HIDDEN_SHARE = 0.005  # muted by an exclusion


def _document(n: int, rng: random.Random) -> dict[str, Any]:
    words = rng.choices(FILLER, k=25) + rng.sample(COMMON, 3)
    if n % 20_000 == 7:
        words.append(RARE)
    rng.shuffle(words)
    # Recent days are busier than old ones, as a growing deployment sees.
    at = NOW - timedelta(seconds=int(DAYS * 86_400 * rng.random() ** 1.3))
    site = f"site{n % SOURCES}.example.com"
    is_comment = n % 3 == 0
    copy = n > 1000 and rng.random() < DUPLICATE_SHARE
    return {
        "id": n + 1, "source_id": n % SOURCES + 1, "key": f"doc-{n}",
        "url": f"https://{site}/p/{n}", "kind": "comment" if is_comment else "post",
        "author": f"author{rng.randrange(20_000)}", "published_at": at, "discovered_at": at,
        "title": "" if is_comment else f"Post {n}", "text": " ".join(words),
        "thread_url": f"https://{site}/p/{n - n % 7}", "thread_title": "A thread",
        "parent_key": f"doc-{n - 1}" if is_comment else None, "language": "en",
        "engagement": json.dumps({"score": rng.randrange(50)}),
        "content_hash": f"{n:064x}", "sentiment_score": None,
        "duplicate_of_id": rng.randint(1, n - 1) if copy else None,
        "state": "new", "snoozed_until": None, "state_changed_at": None,
    }


def _mention(mention_id: int, doc: dict[str, Any], brand: int, rng: random.Random
             ) -> dict[str, Any]:
    label = rng.choices(LABELS, LABEL_WEIGHTS)[0]
    score = {"positive": 0.6, "negative": -0.6, "neutral": 0.01}.get(label, 0.0)
    override = rng.choice(["positive", "negative"]) if rng.random() < 0.002 else None
    topics = rng.sample(TOPICS, rng.choice([0, 0, 1, 1, 2]))
    return {
        "id": mention_id, "document_id": doc["id"], "brand_id": brand,
        "sort_at": doc["published_at"], "spans": "[]", "snippet": doc["text"][:120],
        "sentiment_score": score, "sentiment_label": label, "sentiment_confidence": 0.8,
        "sentiment_override": override, "topics": json.dumps(topics),
        "created_at": doc["published_at"], "backfill": False,
        "site": doc["url"].split("/")[2], "engagement": rng.randrange(50),
        "hidden_by_id": 1 if rng.random() < HIDDEN_SHARE else None,
    }


def build_store(engine: Engine, mentions: int) -> float:
    """Load the store as the migrations made it; returns seconds taken.

    Secondary indexes and triggers are dropped for the load and put back from their own
    definitions afterwards (with the search index and pre-aggregates rebuilt in one pass each),
    which is what makes a million rows take minutes rather than hours.
    """
    started = time.perf_counter()
    rng = random.Random(20261204)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA synchronous=OFF")  # a failed build is thrown away anyway
            raw.execute("PRAGMA cache_size=-500000")  # 500 MB: index builds stay in memory
            raw.execute("PRAGMA temp_store=MEMORY")
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # Index builds over a million rows outlast the service's statement timeout.
                connection.execute(text("SET LOCAL statement_timeout = 0"))
                connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            _load(connection, mentions, rng)
    _after_load(engine)
    return time.perf_counter() - started


def _load(connection: Any, mentions: int, rng: random.Random) -> None:
    saved = _drop_secondary(connection)
    _insert(connection, "brands", [
        {"id": b, "name": f"Brand{b}", "query": f"Brand{b}", "enabled": True,
         "from_config": False, "created_at": NOW, "updated_at": NOW}
        for b in range(1, BRANDS + 1)])
    _insert(connection, "sources", [
        {"id": s, "name": f"Source {s}", "url": f"https://site{s - 1}.example.com/feed",
         "kind": "rss", "host": f"site{s - 1}.example.com", "interval_s": 1800,
         "enabled": True, "options": "{}", "from_config": False, "next_check_at": NOW,
         "error_count": 0, "created_at": NOW} for s in range(1, SOURCES + 1)])
    _insert(connection, "exclusions", [
        {"id": 1, "kind": "author", "value": "author7", "brand_id": None,
         "created_by": "bench", "created_at": NOW}])
    _insert(connection, "alerts", [_alert(a, rng) for a in range(1, 2001)])
    mention_id, doc_number = 0, 0
    while mention_id < mentions:
        docs: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        while len(rows) < CHUNK and mention_id < mentions:
            doc = _document(doc_number, rng)
            docs.append(doc)
            doc_number += 1
            for brand in _brands_of(rng)[: mentions - mention_id]:
                mention_id += 1
                rows.append(_mention(mention_id, doc, brand, rng))
        _insert(connection, "documents", docs)
        _insert(connection, "mentions", rows)
    _restore_secondary(connection, saved)


def _brands_of(rng: random.Random) -> list[int]:
    first = rng.choices(range(1, BRANDS + 1), BRAND_WEIGHTS)[0]
    if rng.random() < 0.09:
        return [first, first % BRANDS + 1]
    return [first]


def _drop_secondary(connection: Any) -> list[str]:
    """Drop the indexes and triggers of documents and mentions; return how to recreate them."""
    tables = ("documents", "mentions")
    if connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = ANY(:t) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint) "
            "UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = ANY(:t) "
            "AND NOT t.tgisinternal"), {"t": list(tables)}).all()
        for kind, name, _ in rows:
            suffix = f" ON {_table_of(connection, name)}" if kind == "trigger" else ""
            connection.execute(text(f"DROP {kind.upper()} {name}{suffix}"))
        return [sql for _, _, sql in rows]
    rows = connection.execute(text(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('documents', 'mentions') "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL")).all()
    for kind, name, _ in rows:
        connection.execute(text(f"DROP {kind.upper()} {name}"))
    return [sql for _, _, sql in rows]


def _table_of(connection: Any, trigger: str) -> str:
    return str(connection.execute(text(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = :n"), {"n": trigger}).scalar_one())


def _restore_secondary(connection: Any, saved: list[str]) -> None:
    for sql in saved:
        connection.execute(text(sql))
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')"))
    _rebuild_counts(connection)


def _rebuild_counts(connection: Any) -> None:
    """The pre-aggregated counts, recomputed from the mentions by the migrations' own backfills
    (they were not kept during the load: their triggers were off)."""
    sqlite = connection.dialect.name == "sqlite"
    counts = _migration("0072_mention_counts")
    if counts is None:  # a tree without pre-aggregates
        return
    connection.execute(text("DELETE FROM mention_counts"))
    connection.execute(text(counts.SQLITE_BACKFILL if sqlite else counts.POSTGRES_BACKFILL))
    every_brand = _migration("0083_every_brand_counts")
    if every_brand is not None:
        connection.execute(text(every_brand.BACKFILL))
    facets = _migration("0074_facet_counts")
    if facets is None:
        return
    for table in facets.TABLES:
        connection.execute(text(f"DELETE FROM {table}"))
    for statement in facets.backfill(sqlite):
        connection.execute(text(statement))


def _migration(name: str) -> Any:
    found = sorted(MIGRATIONS_DIR.glob(f"versions/*_{name}.py"))
    if not found:
        return None
    spec = importlib.util.spec_from_file_location(f"migration_{name}", found[0])
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


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
    # The schema's UTC columns hold naive UTC text on SQLite, as SQLAlchemy writes it.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _after_load(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in ("brands", "sources", "alerts", "documents", "mentions", "exclusions"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
        refresh_planner_statistics(connection)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SET statement_timeout = 0"))
            connection.execute(text("VACUUM (ANALYZE)"))


def queries(session: Session) -> dict[str, Callable[[], object]]:
    mentions = MentionRepository(session)
    deep = mentions.list_page(MentionFilter(), limit=50, cursor=None)
    for _ in range(40):  # 2,000 mentions down
        deep = mentions.list_page(MentionFilter(), limit=50, cursor=deep.next_cursor)
    cursor = deep.next_cursor

    def trends(brand: str | None) -> Callable[[], object]:
        request = trend_request(MentionFilter(brand=brand), "day", NOW + timedelta(minutes=7))
        return lambda: compute_trends(session, replace(request))

    def counts(brand: str | None) -> Callable[[], object]:
        """The buckets and share of voice: what the pre-aggregated counts serve."""
        filters = trend_request(MentionFilter(brand=brand), "day",
                                NOW + timedelta(minutes=7)).filters

        def call() -> object:
            repo = TrendRepository(session)  # one per request: it remembers what it read
            return repo.counted_points(filters, "day"), repo.brand_counts(filters)
        return call

    def page(filters: MentionFilter, at: str | None = None) -> Callable[[], object]:
        return lambda: mentions.list_page(filters, limit=50, cursor=at)

    item = ItemRepository(session)
    one, its_item = deep.rows[0].id, deep.rows[0].document_id

    return {
        "first page": page(MentionFilter()),
        "deep cursor": page(MentionFilter(), cursor),
        "brand+sentiment": page(MentionFilter(brand="Brand7", sentiment="negative")),
        "q common word": page(MentionFilter(q="good")),
        "q rare word": page(MentionFilter(q=RARE)),
        "q 1% word": page(MentionFilter(q=MIDDLE)),
        "trends counts 30d one brand": counts("Brand7"),
        "trends counts 30d all brands": counts(None),
        "trends full 30d one brand": trends("Brand7"),
        "trends full 30d all brands": trends(None),
        "one mention": lambda: mentions.get_detail(one),
        "one item": lambda: item.get(its_item),
        "alert feed": lambda: AlertRepository(session).list_page(AlertFilter(), limit=50,
                                                                 cursor=None),
    }


def measure(engine: Engine, repeat: int, only: list[str]) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with Session(engine) as session:
        for name, call in queries(session).items():
            if only and not any(name.startswith(prefix) for prefix in only):
                continue
            call()  # warm the cache as a running service has it
            times = []
            for _ in range(repeat):
                session.expunge_all()  # a request starts with an empty session
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


def run(name: str, url: str, args: argparse.Namespace, *, built: bool) -> dict[str, object]:
    engine = build_engine(url)
    try:
        upgrade_database(engine)  # a cached store gets the newest migrations (and backfills)
        seconds = 0.0
        if not built:
            seconds = build_store(engine, args.mentions)
            print(f"{name}: {args.mentions} mentions loaded in {seconds:.0f} s")
        else:
            print(f"{name}: {args.mentions} mentions from the cached store")
        return {"load_s": round(seconds, 1), "queries": measure(engine, args.repeat, args.queries)}
    finally:
        engine.dispose()


def cached_sqlite(args: argparse.Namespace) -> tuple[str, bool]:
    """The cached SQLite store for this size: (url, already built)."""
    directory = Path(args.cache)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"api-{args.mentions}-v{BUILD_VERSION}.db"
    if args.rebuild or not path.with_suffix(".built").exists():
        for leftover in directory.glob(path.stem + ".*"):
            leftover.unlink()
        return f"sqlite:///{path}", False
    return f"sqlite:///{path}", True


def cached_postgres(args: argparse.Namespace) -> tuple[str, bool]:
    """The cached Postgres database for this size: (url, already built). A store whose build
    did not finish is dropped (its name says so until the end)."""
    admin_url = make_url(args.postgres).set(drivername="postgresql+psycopg")
    name = f"bench_api_{args.mentions}_v{BUILD_VERSION}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(text(
                "SELECT datname, datcomment FROM (SELECT datname, "
                "shobj_description(oid, 'pg_database') AS datcomment FROM pg_database) d "
                "WHERE datname = :n"), {"n": name}).first()
            if found and (args.rebuild or found[1] != "built"):
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                found = None
            if not found:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        return admin_url.set(database=name).render_as_string(hide_password=False), bool(found)
    finally:
        admin.dispose()


def mark_built(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            name = engine.url.database
            connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS 'built'"))
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--cache", default=os.environ.get(
        "MONITOR_BENCH_CACHE", str(Path(tempfile.gettempdir()) / "brand-monitor-bench")),
        help="where built SQLite stores are kept between runs")
    parser.add_argument("--rebuild", action="store_true", help="build the stores afresh")
    parser.add_argument("--queries", type=lambda v: [q.strip() for q in v.split(",")],
                        default=[], help="time only the queries whose names start so "
                        "(comma-separated), e.g. 'q ,trends counts'")
    args = parser.parse_args()
    results: dict[str, object] = {"mentions": args.mentions, "target_p95_ms": TARGET_MS,
                                  "load_average": [round(x, 2) for x in os.getloadavg()]}
    if args.only != "postgres":
        url, built = cached_sqlite(args)
        results["sqlite"] = run("sqlite", url, args, built=built)
        Path(make_url(url).database or "").with_suffix(".built").touch()
    if args.postgres and args.only != "sqlite":
        url, built = cached_postgres(args)
        results["postgres"] = run("postgres", url, args, built=built)
        mark_built(url)
    print(json.dumps({"bench": "api", **results}))


if __name__ == "__main__":
    main()
