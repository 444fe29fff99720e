"""The configured waits are the ones connections run with: on Postgres a statement or a lock
wait longer than ``database.statement_timeout`` is cancelled by the server; on SQLite a writer
waits ``database.busy_timeout`` for another's lock and then fails, while reads never wait."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from monitor.config import DatabaseSettings, Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand
from monitor.runtime import Runtime, open_runtime

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def tight(database_url: str) -> Iterator[Runtime]:
    active = open_runtime(Settings(database={"url": database_url, "statement_timeout": "1s",
                                             "busy_timeout": "1s"}))
    yield active
    active.dispose()


def _brand(name: str) -> Brand:
    return Brand(name=name, query=name, enabled=True, created_at=NOW, updated_at=NOW)


def test_the_defaults_bound_every_wait() -> None:
    database = DatabaseSettings()
    waits = (database.pool_timeout, database.busy_timeout, database.statement_timeout,
             database.connect_timeout)
    assert all(0 < wait.total_seconds() <= 30 for wait in waits)


def test_postgres_cancels_a_statement_or_a_lock_wait_past_the_timeout(tight: Runtime) -> None:
    if tight.engine.dialect.name != "postgresql":
        pytest.skip("Postgres only: SQLite has no statement timeout (its waits are below)")
    with tight.engine.connect() as connection:
        assert connection.scalar(text("SHOW statement_timeout")) == "1s"
        assert connection.scalar(text("SHOW lock_timeout")) == "1s"
    with tight.engine.connect() as connection, pytest.raises(
            OperationalError, match="statement timeout"):
        connection.execute(text("SELECT pg_sleep(30)"))
    other = create_engine(tight.engine.url)  # holds the lock, untouched by the timeout
    try:
        with other.connect() as holder:
            holder.execute(text("LOCK TABLE brands IN ACCESS EXCLUSIVE MODE"))
            # Both waits are 1 s: whichever the server notices first cancels the read.
            with tight.reads() as session, pytest.raises(
                    OperationalError, match=r"(statement|lock) timeout"):
                session.execute(text("SELECT count(*) FROM brands"))
            holder.rollback()
    finally:
        other.dispose()


def test_a_sqlite_writer_gives_up_after_the_busy_timeout_and_reads_go_on(
        tight: Runtime) -> None:
    if tight.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: Postgres writers wait on row locks (above)")
    with unit_of_work(tight.sessions) as session:
        session.add(_brand("Acme"))
    writer = sqlite3.connect(make_url(str(tight.engine.url)).database or "",
                             isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process's write transaction
        with tight.reads() as session:
            assert session.scalar(text("SELECT count(*) FROM brands")) == 1
        with pytest.raises(OperationalError, match="database is locked"), \
                unit_of_work(tight.sessions) as session:
            session.add(_brand("Globex"))
        with tight.reads() as session:
            assert session.scalar(text("PRAGMA busy_timeout")) == 1000
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with unit_of_work(tight.sessions) as session:
        session.add(_brand("Globex"))  # the lock is free: the same write goes through
