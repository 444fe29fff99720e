"""Migration 0081 puts the document id into ix_mentions_sort and takes it out again on the way
down, on SQLite and Postgres."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from monitor.db.engine import build_engine
from monitor.db.migrate import upgrade_database
from tests.migration_steps import downgrade_database


def _sort_index(engine: Engine) -> list[str | None]:
    found = [index for index in inspect(engine).get_indexes("mentions")
             if index["name"] == "ix_mentions_sort"]
    assert len(found) == 1
    return list(found[0]["column_names"])


def test_the_sort_index_carries_the_document_id_both_ways(empty_url: str) -> None:
    engine = build_engine(empty_url)
    try:
        upgrade_database(engine)
        assert _sort_index(engine) == ["sort_at", "id", "document_id"]
        downgrade_database(engine, "0074")
        assert _sort_index(engine) == ["sort_at", "id"]
        upgrade_database(engine)
        assert _sort_index(engine) == ["sort_at", "id", "document_id"]
    finally:
        engine.dispose()
