"""Planner statistics are gathered after migrations and on demand, on both backends."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from monitor.pipeline.maintenance import refresh_statistics
from monitor.runtime import Runtime


def _has_statistics(runtime: Runtime) -> bool:
    with runtime.engine.connect() as connection:
        if runtime.engine.dialect.name == "sqlite":
            return bool(connection.scalar(text("SELECT count(*) FROM sqlite_stat1")))
        analysed = connection.scalar(text(
            "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL "
            "FROM pg_stat_user_tables WHERE relname = 'mentions'"))
        return bool(analysed)


def test_statistics_are_refreshed(runtime: Runtime) -> None:
    refresh_statistics(runtime)
    assert _has_statistics(runtime)


def test_migrations_leave_statistics_for_sqlites_planner(migrated_sqlite: str) -> None:
    engine = create_engine(migrated_sqlite)
    with engine.connect() as connection:
        tables = connection.scalar(text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
    engine.dispose()
    assert tables == 1
