"""Pooled connections: reads on Postgres run outside a transaction, and a connection is checked
only when it has sat idle in the pool, so a busy service pays no extra round trip a request
while a connection that died while idle is replaced without failing anyone."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from monitor.db import engine as engine_module
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand
from monitor.db.repositories import BrandRepository
from monitor.runtime import Runtime

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _brand(name: str) -> Brand:
    return Brand(name=name, query=name, enabled=True, created_at=NOW, updated_at=NOW)


def _backend_pid(runtime: Runtime) -> int:
    with runtime.reads() as session:
        return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


def _terminate(runtime: Runtime, pid: int) -> None:
    # Another engine, so that the pooled connection under test stays in its pool.
    admin = create_engine(runtime.engine.url)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    time.sleep(0.2)  # the backend is gone, the client has not noticed


def _postgres_only(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's connections are files: nothing to check, no round trips to save")


def test_a_read_session_leaves_no_transaction_open_between_its_queries(
        runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        session.add(_brand("Acme"))
    with runtime.reads() as session:
        names = [b.name for b in BrandRepository(session).list_all()]
        dbapi: Any = session.connection().connection.dbapi_connection
        if runtime.engine.dialect.name == "postgresql":
            # no BEGIN was sent: each statement is its own snapshot
            assert dbapi.info.transaction_status == TransactionStatus.IDLE
    assert names == ["Acme"]


def _abandoned_write(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        session.add(_brand("Acme"))
        session.flush()
        raise RuntimeError("the write is abandoned")


def test_reads_see_what_was_written_and_writes_stay_transactional(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError):
        _abandoned_write(runtime)
    with runtime.reads() as session:
        assert BrandRepository(session).list_all() == []
    with unit_of_work(runtime.sessions) as session:
        session.add(_brand("Globex"))
    with runtime.reads() as session:
        assert [b.name for b in BrandRepository(session).list_all()] == ["Globex"]


def test_a_connection_that_died_while_idle_is_replaced_without_an_error(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    _postgres_only(runtime)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.1)
    first = _backend_pid(runtime)
    _terminate(runtime, first)
    second = _backend_pid(runtime)  # checked at checkout, found dead, replaced
    assert second != first


def test_a_connection_returned_moments_ago_is_handed_out_unchecked(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """No round trip for a connection the last request just used. Should its server have
    gone in that second, one request fails (a 503 at the API) and the pool replaces it."""
    _postgres_only(runtime)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 60.0)
    first = _backend_pid(runtime)
    _terminate(runtime, first)
    with pytest.raises(OperationalError):
        _backend_pid(runtime)
    assert _backend_pid(runtime) != first
