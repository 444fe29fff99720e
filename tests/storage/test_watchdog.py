"""Statements nobody answers: the watchdog ends their connection, and only theirs. The
collection cycle on a stalled Postgres fails instead of waiting for ever, and the next cycle
after the database is back stores everything."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from monitor.config import Settings
from monitor.db.models import Brand, Document
from monitor.db.watchdog import COMMAND_IN_PROGRESS, UnansweredStatements
from monitor.pipeline.collect import run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import open_runtime
from tests.collectors.conftest import SITES, FixtureServer
from tests.conftest import _empty_tables
from tests.stall_proxy import StallProxy


class _Info:
    def __init__(self) -> None:
        self.transaction_status = TransactionStatus.ACTIVE


class _Connection:
    """What the watchdog reads of a driver's connection: its socket's descriptor, and whether
    a command is in progress."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.info = _Info()

    def fileno(self) -> int:
        return self.sock.fileno()


@pytest.fixture
def pairs() -> Iterator[list[tuple[socket.socket, socket.socket]]]:
    made = [socket.socketpair() for _ in range(2)]
    yield made
    for ours, theirs in made:
        ours.close()
        theirs.close()


def test_only_a_statement_still_waiting_after_the_limit_has_its_connection_ended(
        pairs: list[tuple[socket.socket, socket.socket]]) -> None:
    assert COMMAND_IN_PROGRESS == TransactionStatus.ACTIVE  # the driver's own value
    watchdog = UnansweredStatements(limit=10.0)
    (waiting, waiting_peer), (answered, answered_peer) = pairs
    done = _Connection(answered)
    watchdog.note_sent(done)
    done.info.transaction_status = TransactionStatus.IDLE  # its answer came
    watchdog.note_sent(_Connection(waiting))
    assert watchdog.end_overdue(now=0.0) == 0  # started moments ago (monotonic clock)
    assert watchdog.end_overdue(now=float("inf")) == 1
    waiting.settimeout(1.0)
    assert waiting.recv(1) == b""  # the waiting read sees the end at once
    assert watchdog.end_overdue(now=float("inf")) == 0  # ended once
    answered_peer.sendall(b"x")
    assert answered.recv(1) == b"x"  # the answered connection is untouched
    assert len(watchdog) == 0  # and no longer noted: it was over long ago
    waiting_peer.close()


def test_a_commit_counts_from_when_it_was_sent_not_from_the_statement_before(
        pairs: list[tuple[socket.socket, socket.socket]]) -> None:
    clock = [0.0]
    watchdog = UnansweredStatements(limit=10.0, clock=lambda: clock[0])
    connection = _Connection(pairs[0][0])
    watchdog.note_sent(connection)  # a statement at 0 s, then the transaction sits idle
    clock[0] = 60.0

    def commit(_sent: object) -> None:  # waiting for the server's answer
        assert watchdog.end_overdue(now=clock[0] + 1.0) == 0

    watchdog.timed(commit)(connection)
    assert watchdog.end_overdue(now=clock[0] + 10.0) == 1  # still waiting 10 s after it


def test_connections_back_in_the_pool_are_no_longer_watched(migrated_postgres: str) -> None:
    engine = create_engine(migrated_postgres)
    watchdog = UnansweredStatements(limit=30.0)
    watchdog.install(engine)
    try:
        for _ in range(20):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                assert len(watchdog) == 1
                connection.commit()
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))  # returned with a rollback
        assert len(watchdog) == 0
    finally:
        engine.dispose()


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    server = FixtureServer(directory=SITES / "wordpress").start()
    yield server
    server.stop()


@pytest.mark.timeout(90, method="thread")  # a hang here is in a C call: end the run
def test_a_cycle_on_a_stalled_postgres_fails_and_the_next_one_stores_everything(
        migrated_postgres: str, site: FixtureServer) -> None:
    _empty_tables(migrated_postgres)
    upstream = make_url(migrated_postgres)
    with StallProxy(upstream.host or "127.0.0.1", upstream.port or 5432) as proxy:
        url = upstream.set(host="127.0.0.1", port=proxy.port)
        settings = Settings(
            database={"url": url.render_as_string(hide_password=False),
                      "statement_timeout": "1s", "connect_timeout": "1s", "pool_timeout": "1s"},
            collector={"allow_private_networks": True},
            brands=[{"name": "Acme", "query": "Acme"}],
            sources=[{"name": "WordPress", "url": site.url("/feed/")}])
        runtime = open_runtime(settings)
        try:
            sync_config(runtime)
            proxy.stall()  # the server's host answers, the server does not
            with pytest.raises(OperationalError, match="closed the connection"):
                asyncio.run(run_collect_cycle(runtime, include_all=True))
            proxy.refuse()
            proxy.resume()  # the database is back
            report = asyncio.run(run_collect_cycle(runtime, include_all=True))
            with runtime.reads() as session:
                stored = session.scalar(select(func.count()).select_from(Document))
        finally:
            runtime.dispose()
    assert report.failed == []
    assert report.new_documents == stored
    assert stored is not None
    assert stored > 0


@pytest.mark.timeout(60, method="thread")
def test_a_commit_the_server_never_answers_fails_instead_of_waiting(
        migrated_postgres: str) -> None:
    _empty_tables(migrated_postgres)
    upstream = make_url(migrated_postgres)
    with StallProxy(upstream.host or "127.0.0.1", upstream.port or 5432) as proxy:
        url = upstream.set(host="127.0.0.1", port=proxy.port)
        runtime = open_runtime(Settings(database={
            "url": url.render_as_string(hide_password=False), "statement_timeout": "1s"}))
        session = runtime.sessions()
        try:
            now = datetime.now(UTC)
            session.add(Brand(name="Acme", query="Acme", enabled=True, created_at=now,
                              updated_at=now))
            session.flush()  # sent and answered: only the commit is left
            proxy.stall()
            with pytest.raises(OperationalError, match="closed the connection"):
                session.commit()
        finally:
            session.close()
            runtime.dispose()
