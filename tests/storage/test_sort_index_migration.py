"""Migration 0081 puts the document id into ix_mentions_sort and takes it out again on the way
down, on SQLite and Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect

from monitor.db.engine import build_engine
from monitor.db.migrate import alembic_config, upgrade_database
from tests.conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sort.db'}"
        return
    with fresh_postgres_database("bm_test_sort") as url:
        yield url


def _sort_index(engine: Engine) -> list[str | None]:
    found = [index for index in inspect(engine).get_indexes("mentions")
             if index["name"] == "ix_mentions_sort"]
    assert len(found) == 1
    return list(found[0]["column_names"])


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection, connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_sort_index_carries_the_document_id_both_ways(empty_url: str) -> None:
    engine = build_engine(empty_url)
    try:
        upgrade_database(engine)
        assert _sort_index(engine) == ["sort_at", "id", "document_id"]
        _downgrade(engine, "0074")
        assert _sort_index(engine) == ["sort_at", "id"]
        upgrade_database(engine)
        assert _sort_index(engine) == ["sort_at", "id", "document_id"]
    finally:
        engine.dispose()
