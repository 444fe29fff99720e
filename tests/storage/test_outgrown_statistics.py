"""A young store's tables double within minutes, faster than autovacuum looks: storing lets the
Postgres planner know their size as they outgrow what it knew, so plans it keeps (the count
triggers' document lookups, foreign-key checks) stop reading whole tables. SQLite makes its
plans afresh and needs none of it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from monitor.config import Settings
from monitor.db.engine import build_engine
from monitor.db.migrate import upgrade_database
from monitor.pipeline import collect
from monitor.pipeline.collect import run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.maintenance import refresh_outgrown_statistics
from monitor.runtime import Runtime, open_runtime
from tests.collectors.conftest import SITES, FixtureServer
from tests.desk_seed import NOW, Doc, seed


def _planned_rows(runtime: Runtime, table: str) -> float:
    with runtime.engine.connect() as connection:
        rows: float = connection.execute(text(
            "SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}).scalar_one()
    return rows


def _wait_for_live_rows(runtime: Runtime, table: str, rows: int) -> None:
    """Until the server's counters, which each connection reports when it closes or every
    second or so, show ``rows``."""
    runtime.engine.dispose()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with runtime.engine.connect() as connection:
            live = connection.execute(text(
                "SELECT pg_stat_get_live_tuples(CAST(:t AS regclass))"), {"t": table}
            ).scalar_one()
        if live >= rows:
            return
        time.sleep(0.2)
    raise AssertionError(f"{table} never showed {rows} live rows")


@pytest.fixture
def young_runtime(empty_url: str) -> Iterator[Runtime]:
    engine = build_engine(empty_url)
    upgrade_database(engine)
    engine.dispose()
    runtime = open_runtime(Settings.model_validate({"database": {"url": empty_url}}))
    yield runtime
    runtime.dispose()


def _store(runtime: Runtime, prefix: str, count: int) -> None:
    seed(runtime, [Doc(f"{prefix}{n}", NOW - timedelta(minutes=n)) for n in range(count)])


def test_tables_are_counted_as_they_double(young_runtime: Runtime) -> None:
    _store(young_runtime, "a", 1200)
    if young_runtime.engine.dialect.name == "sqlite":
        assert refresh_outgrown_statistics(young_runtime) == []
        return
    _wait_for_live_rows(young_runtime, "mentions", 1200)
    assert _planned_rows(young_runtime, "documents") < 1200
    assert {"documents", "mentions"} <= set(refresh_outgrown_statistics(young_runtime))
    assert _planned_rows(young_runtime, "documents") == 1200
    assert _planned_rows(young_runtime, "mentions") == 1200
    _store(young_runtime, "b", 1000)  # 2,200 rows: not yet twice the 1,200 counted
    _wait_for_live_rows(young_runtime, "documents", 2200)
    assert refresh_outgrown_statistics(young_runtime) == []
    _store(young_runtime, "c", 300)
    _wait_for_live_rows(young_runtime, "documents", 2500)
    assert "documents" in refresh_outgrown_statistics(young_runtime)
    assert _planned_rows(young_runtime, "documents") == 2500


def test_each_stored_batch_is_followed_by_a_count(runtime: Runtime,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    server = FixtureServer(directory=SITES / "wordpress").start()
    try:
        settings = Settings(database=runtime.settings.database.model_dump(),
                            collector={"allow_private_networks": True, "fetch_threads": False},
                            brands=[{"name": "Acme", "query": "Acme"}],
                            sources=[{"name": "WordPress", "url": server.url("/feed/")}])
        configured = Runtime(settings, runtime.engine, runtime.sessions)
        sync_config(configured)
        calls: list[list[str]] = []

        def counted(of: Runtime) -> list[str]:
            calls.append(refresh_outgrown_statistics(of))
            return calls[-1]
        monkeypatch.setattr(collect, "refresh_outgrown_statistics", counted)
        report = asyncio.run(run_collect_cycle(configured, include_all=True))
    finally:
        server.stop()
    assert report.failed == []
    assert report.new_documents > 0
    assert len(calls) >= 1  # after the batch that stored them
