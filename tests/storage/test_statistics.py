"""SQLite's planner, given statistics, pages through mentions by the time index instead of
sorting every visible mention (hidden_by_id is NULL in every row: an index on it selects
nothing, which only statistics tell the planner)."""

from __future__ import annotations

from datetime import timedelta

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
