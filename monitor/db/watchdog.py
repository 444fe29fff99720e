"""Statements a Postgres server never answers, ended from this side.

The server ends a statement past ``statement_timeout``, and the kernel ends a connection whose
packets go unacknowledged (``tcp_user_timeout``). Neither helps when the server's host still
acknowledges packets but the server does not answer (a stopped or hung server, a hung pooler):
the thread waiting for the answer would wait for ever, and a collection cycle with it. The
watchdog shuts down the socket of a statement left unanswered for ``limit`` seconds: its thread
gets a connection error at once, and the pool replaces the connection.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)
# libpq's PQTRANS_ACTIVE (psycopg's TransactionStatus.ACTIVE): a command is in progress.
# Named here rather than imported: Postgres support, psycopg with it, is an optional extra.
COMMAND_IN_PROGRESS = 1


class UnansweredStatements:
    """Notes when each connection's latest statement started; ends those still waiting for
    their answer ``limit`` seconds later.

    One hook per statement, as it is sent: the driver says whether a connection is still
    waiting (its transaction status is "active" only while a command is in progress), so a
    statement that ended needs no hook of its own.
    """

    def __init__(self, limit: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._started: dict[int, tuple[float, Any]] = {}  # id(connection) -> (since, connection)
        self._stopped = threading.Event()

    def install(self, engine: Engine) -> None:
        """Watch every statement, commit and rollback ``engine`` sends, for as long as the
        engine exists (disposing of it only closes its connections: it may be used again)."""
        # The dialect's execute hooks, not the connection's events: the engine already
        # dispatches those (monitor.db.prepared), while a first connection event would put
        # every statement on SQLAlchemy's slower path with events, about 10 us each.
        for hook in ("do_execute", "do_executemany"):
            event.listen(engine, hook, self._before_with_parameters, insert=True)
        event.listen(engine, "do_execute_no_params", self._before, insert=True)
        # A commit waits for the server too (a stalled disk holds it at the WAL flush), and
        # SQLAlchemy has no hook there but the dialect's own method, this engine's alone.
        for method in ("do_commit", "do_rollback"):
            setattr(engine.dialect, method, self.timed(getattr(engine.dialect, method)))
        event.listen(engine.pool, "checkin", self._checked_in)
        weakref.finalize(engine, self._stopped.set)
        threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()

    def note_sent(self, dbapi_connection: Any) -> None:
        """``dbapi_connection`` sends something outside a statement (a ping). As for a
        statement, nothing is noted at the end: the driver's status says when it is over."""
        self._start(dbapi_connection)

    def __len__(self) -> int:
        """How many connections are watched (sent something and are not back in the pool)."""
        return len(self._started)

    def end_overdue(self, now: float) -> int:
        """Shut down the connections still waiting for a statement started ``limit`` seconds
        or more before ``now``; forget those whose statement ended."""
        ended = 0
        for key, entry in self._started.copy().items():  # copied at once, under the GIL
            since, connection = entry
            if now - since < self.limit or self._started.get(key) is not entry:
                continue  # recent, or a newer statement began meanwhile
            self._started.pop(key, None)  # noted again when it next sends something
            if not _is_waiting(connection):
                continue  # answered long ago (or closed without coming back to the pool)
            log.warning("no answer from the database: connection ended",
                        extra={"waited_s": round(now - since, 1)})
            _shut_down(connection)
            ended += 1
        return ended

    def _run(self) -> None:
        interval = max(0.1, min(self.limit / 4, 5.0))
        while not self._stopped.wait(interval):
            self.end_overdue(self._clock())

    def _start(self, dbapi_connection: Any) -> None:
        self._started[id(dbapi_connection)] = (self._clock(), dbapi_connection)

    def _before(self, cursor: Any, _statement: str, _context: Any) -> None:
        self._start(cursor.connection)  # returns None: SQLAlchemy runs the statement

    def _before_with_parameters(self, cursor: Any, _statement: str, _parameters: Any,
                                _context: Any) -> None:
        self._start(cursor.connection)

    def timed(self, send: Callable[[Any], None]) -> Callable[[Any], None]:
        """``send`` (a commit, a rollback), watched from the moment it is sent: otherwise it
        would count from the statement before it, perhaps long ago."""

        def watched_send(connection: Any) -> None:
            # SQLAlchemy hands over the pool's proxy; the entry is the driver's connection,
            # the one statements note and the pool's check-in clears.
            self._start(getattr(connection, "dbapi_connection", connection))
            send(connection)

        return watched_send

    def _checked_in(self, dbapi_connection: Any, _record: Any) -> None:
        self._started.pop(id(dbapi_connection), None)


def _is_waiting(dbapi_connection: Any) -> bool:
    try:
        return int(dbapi_connection.info.transaction_status) == COMMAND_IN_PROGRESS
    except Exception:  # closed, or not a psycopg connection: nothing to wait for
        return False


def _shut_down(dbapi_connection: Any) -> None:
    # Shut down, not closed: the descriptor stays the driver's (closing it could hand its
    # number to another file while the driver still uses it); the waiting read sees the end.
    try:
        with socket.socket(fileno=os.dup(dbapi_connection.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # closed already (the driver's error or the OS's): nothing waits on it
        log.debug("connection already closed", exc_info=True)
