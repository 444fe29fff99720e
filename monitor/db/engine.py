"""Engines and sessions: SQLite in WAL mode with IMMEDIATE writes and deferred reads, or
Postgres via psycopg 3; every wait on the database is bounded."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.location import check_sqlite_location, describe_url
from monitor.db.prepared import prepare_marked_statements
from monitor.db.repositories.search import SEARCH_FUNCTION, sqlite_text_matches
from monitor.db.watchdog import UnansweredStatements
from monitor.errors import DatabaseError

log = logging.getLogger(__name__)
READ_ONLY_OPTION = "monitor_read_only"
NO_WAIT_OPTION = "monitor_no_wait"
# A pooled Postgres connection unused for longer than this is checked before it is handed out.
PING_AFTER_IDLE_SECONDS = 1.0
NEVER_ON_ITS_OWN = 2**31 - 1  # runs of one statement before psycopg would prepare it
_RETURNED_AT = "monitor_returned_at"


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """How long anything may wait on the database, and how many connections a process holds."""

    pool_size: int = 10
    max_overflow: int = 10
    pool_timeout: float = 3.0
    busy_timeout: float = 30.0
    statement_timeout: float = 15.0
    connect_timeout: float = 5.0
    # Postgres: a statement with no answer at all after this long has its connection ended
    # (monitor.db.watchdog); None for engines whose statements may run longer (migrations).
    unanswered_after: float | None = None

    @property
    def capacity(self) -> int:
        return self.pool_size + self.max_overflow


# A statement built anew for each request hits the compiled cache, and SQLAlchemy then maps
# every column object of the new statement onto the cached result's (comparing expressions:
# about 1.4 ms for a listing's 30 columns, half its CPU). The ORM switches that off for its
# own queries; the plain-column reads here look their values up by position or by name,
# never by column object, so it is off for every statement.
READ_BY_POSITION = {"_result_disable_adapt_to_context": True}


def build_engine(url: str, *, echo: bool = False, limits: EngineLimits | None = None) -> Engine:
    """An engine configured for the backend named by ``url``."""
    limits = limits or EngineLimits()
    if url.startswith("sqlite"):
        check_sqlite_location(url)
        return _sqlite_engine(url, echo, limits)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(
        url, echo=echo, future=True, pool_size=limits.pool_size,
        max_overflow=limits.max_overflow, pool_timeout=limits.pool_timeout,
        connect_args=_postgres_connect_args(limits),
        execution_options=READ_BY_POSITION,
    )
    watchdog = None
    if limits.unanswered_after:
        watchdog = UnansweredStatements(limits.unanswered_after)
        watchdog.install(engine)
    _ping_when_idle(engine, watchdog)
    prepare_marked_statements(engine)
    return engine


def _ping_when_idle(engine: Engine, watchdog: UnansweredStatements | None) -> None:
    """Check a pooled connection before use only when it has sat idle: pool_pre_ping would
    cost a round trip on every checkout, as much as a small query, and a connection returned
    under a second ago is as alive as the request that returned it. A dead one (a server
    restart, a dropped link) makes the pool open a fresh connection in its place."""
    dialect = engine.dialect

    def note_return(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            if watchdog is not None:
                watchdog.note_sent(dbapi_connection)
            dialect.do_ping(dbapi_connection)  # SELECT 1 outside any transaction
        except Exception as exc:  # psycopg.Error: any failure means the connection is unusable
            raise DisconnectionError(f"pooled connection failed its check: {exc}") from exc

    event.listen(engine.pool, "checkin", note_return)
    event.listen(engine.pool, "checkout", ping_if_idle)


def _postgres_connect_args(limits: EngineLimits) -> dict[str, Any]:
    # statement_timeout and lock_timeout bound slow queries and lock waits on the server; the
    # keepalive and tcp_user_timeout settings end connections to a host that went silent.
    # psycopg would prepare a statement run five times, and after five more runs the server may
    # switch it to one generic plan, blind to the values: a listing whose best plan depends on
    # them (a full-text word, a brand) went from 9 to 140 ms. So psycopg prepares nothing on its
    # own (a threshold never reached; None would also refuse the lookups that ask for it, see
    # monitor.db.prepared), and each run is planned for its own values. Not forced server-wide
    # (plan_cache_mode): the per-row trigger statements that keep the counts would then be
    # planned again for every row, and a retention delete slowed down with them.
    statement_ms = max(1, int(limits.statement_timeout * 1000))
    return {
        "connect_timeout": max(1, round(limits.connect_timeout)),
        "options": f"-c statement_timeout={statement_ms} -c lock_timeout={statement_ms}",
        "prepare_threshold": NEVER_ON_ITS_OWN,
        "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
        "keepalives_count": 3, "tcp_user_timeout": statement_ms + 5000,
    }


def _sqlite_engine(url: str, echo: bool, limits: EngineLimits) -> Engine:
    busy_ms = max(0, int(limits.busy_timeout * 1000))
    engine = create_engine(
        url,
        echo=echo,
        pool_size=limits.pool_size, max_overflow=limits.max_overflow,
        pool_timeout=limits.pool_timeout,
        connect_args={"timeout": limits.busy_timeout, "check_same_thread": False},
        execution_options=READ_BY_POSITION,
    )
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", lambda connection: _on_sqlite_begin(connection, busy_ms))
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions start (see _on_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function(SEARCH_FUNCTION, 3, sqlite_text_matches, deterministic=True)


def _on_sqlite_begin(connection: Any, busy_ms: int) -> None:
    # A deferred transaction that reads then writes fails with SQLITE_BUSY at once, whatever
    # the busy timeout; taking the write lock up front makes writers queue instead. Sessions
    # that only read say so and begin deferred: in WAL mode they never wait for a writer, and
    # query_only makes a write slipped into one fail loudly instead of taking the lock.
    # The pragmas last as long as the connection: set only when they change (most
    # transactions are reads following reads on the same pooled connection).
    options = connection.get_execution_options()
    read_only = bool(options.get(READ_ONLY_OPTION))
    wait_ms = 0 if options.get(NO_WAIT_OPTION) else busy_ms
    state = connection.info
    if state.get("query_only") != read_only:
        connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        state["query_only"] = read_only
    if state.get("busy_timeout") != wait_ms:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        state["busy_timeout"] = wait_ms
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def build_read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only: on SQLite they neither take nor wait for the write lock."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        # Each read statement is its own snapshot: no BEGIN and ROLLBACK round trips around a
        # request's two or three queries, which on loopback cost as much as the queries.
        options["isolation_level"] = "AUTOCOMMIT"
    reader = engine.execution_options(**options)
    return sessionmaker(reader, expire_on_commit=False, autoflush=False)


def build_no_wait_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for optional writes: on SQLite they give up at once when the lock is taken."""
    eager = engine.execution_options(**{NO_WAIT_OPTION: True})
    return sessionmaker(eager, expire_on_commit=False, autoflush=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics on SQLite, skipped rather than waited for while another process
    writes. Postgres keeps its own statistics (autovacuum)."""
    from monitor.db.repositories.maintenance import refresh_planner_statistics

    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.execution_options(**{NO_WAIT_OPTION: True}).connect() as connection:
            refresh_planner_statistics(connection)
            connection.commit()
    except OperationalError:
        log.info("statistics not refreshed: another process is writing")


def check_database(engine: Engine) -> None:
    """Raise DatabaseError with the reason when the database does not answer."""
    try:
        with engine.execution_options(**{READ_ONLY_OPTION: True}).connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot reach the database {describe_url(str(engine.url))}: {exc.orig}"
        ) from None
