"""On Postgres the full-text index's pending list, which every search reads whole, stays
short while documents keep arriving (migration 0082). SQLite's FTS5 index has none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from monitor.config import Settings
from monitor.db.engine import build_engine, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.runtime import open_runtime
from tests.conftest import fresh_postgres_database
from tests.desk_seed import NOW, Doc, seed
from tests.migration_steps import downgrade_database

PAGE_KB = 8
LIMIT_KB = 256  # what migration 0082 sets
VOCABULARY = [f"word{n}" for n in range(5000)]


def _text(n: int) -> str:
    """Sixty words, most of them rare, as posts have: many distinct index entries."""
    return " ".join(VOCABULARY[(n * 61 + k * 97) % len(VOCABULARY)] for k in range(60))


@pytest.mark.postgres
def test_documents_arriving_leave_the_search_index_a_short_pending_list() -> None:
    with fresh_postgres_database("bm_gin") as url:
        engine = build_engine(url)
        upgrade_database(engine)
        engine.dispose()
        runtime = open_runtime(Settings.model_validate({"database": {"url": url}}))
        try:
            for batch in range(6):  # as collection cycles store them, a batch at a time
                seed(runtime, [Doc(f"d{batch}-{n}", NOW - timedelta(minutes=n),
                                   text=_text(batch * 1000 + n)) for n in range(500)])
            with unit_of_work(runtime.sessions) as session:
                session.execute(text("CREATE EXTENSION IF NOT EXISTS pgstattuple"))
                pending = session.execute(text(
                    "SELECT pending_pages FROM pgstatginindex('ix_documents_search')")
                ).scalar_one()
        finally:
            runtime.dispose()
    # Under a 4 MB limit (Postgres's default) 86 pages of these documents were left unmerged.
    assert 0 < pending * PAGE_KB <= LIMIT_KB, pending


def _pending_list_option(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        options = connection.execute(text(
            "SELECT reloptions FROM pg_class WHERE relname = 'ix_documents_search'")).scalar()
    return [o for o in options or [] if o.startswith("gin_pending_list_limit")]


def test_migration_0082_goes_down_and_up_again(empty_url: str) -> None:
    engine = build_engine(empty_url)
    on_postgres = engine.dialect.name == "postgresql"
    try:
        upgrade_database(engine)
        downgrade_database(engine, "0081")
        if on_postgres:
            assert _pending_list_option(engine) == []
        upgrade_database(engine)
        if on_postgres:
            assert _pending_list_option(engine) == [f"gin_pending_list_limit={LIMIT_KB}"]
    finally:
        engine.dispose()
