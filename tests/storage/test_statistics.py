"""SQLite's planner, given statistics, pages through mentions by the time index instead of
sorting every visible mention (hidden_by_id is NULL in every row: an index on it selects
nothing, which only statistics tell the planner)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from monitor.db.engine import refresh_statistics
from monitor.db.models import Mention
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.mentions import MentionFilter, _joined
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed


def _plan(runtime: Runtime) -> str:
    with runtime.reads() as session:
        query = MentionRepository(session).filtered(_joined(), MentionFilter())
        query = query.order_by(Mention.sort_at.desc(), Mention.id.desc()).limit(51)
        sql = str(query.compile(dialect=sqlite.dialect(),
                                compile_kwargs={"literal_binds": True}))
        rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
        return " | ".join(str(row[-1]) for row in rows)


def test_after_refreshing_statistics_pages_need_no_sort(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "sqlite":
        return  # Postgres keeps its own statistics
    seed(runtime, [Doc(f"d{i}", NOW - timedelta(minutes=i)) for i in range(2000)])
    refresh_statistics(runtime.engine)
    plan = _plan(runtime)
    assert "TEMP B-TREE" not in plan, plan
    with runtime.reads() as session:
        page = MentionRepository(session).list_page(MentionFilter(), limit=3, cursor=None)
    assert [r.sort_at for r in page.rows] == sorted((r.sort_at for r in page.rows), reverse=True)


def test_postgres_plans_every_run_for_its_own_values(runtime: Runtime) -> None:
    """A prepared statement (psycopg prepares those run five times) may otherwise switch to a
    generic plan, blind to the word or brand asked for: 9 ms became 140 ms for a listing."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans each statement when it is prepared, with its values")
    seed(runtime, [Doc(f"d{i}", NOW - timedelta(minutes=i)) for i in range(60)])
    with runtime.reads() as session:
        repo = MentionRepository(session)
        pages = [[r.id for r in repo.list_page(MentionFilter(brand="Acme"), limit=5,
                                               cursor=None).rows] for _ in range(12)]
        # run twelve times on one connection, and the listing was not prepared (to go generic);
        # only the brand's lookup by name was (tests/storage/test_prepared_lookups.py)
        prepared = list(session.scalars(text("SELECT statement FROM pg_prepared_statements")))
    assert [s for s in prepared if "FROM mentions" in s] == [], prepared
    assert len(prepared) == 1, prepared
    assert "WHERE brands.name = $1" in prepared[0], prepared
    assert len(pages[0]) == 5
    assert all(page == pages[0] for page in pages)
