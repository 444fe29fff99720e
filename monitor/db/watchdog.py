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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)


class UnansweredStatements:
    """Tracks the statements in flight on an engine's connections; ends the overdue ones."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._started: dict[int, tuple[float, Any]] = {}  # id(connection) -> (since, connection)
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def install(self, engine: Engine) -> None:
        """Watch every statement ``engine`` runs, until the engine is disposed."""
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "handle_error", self._failed)
        event.listen(engine, "engine_disposed", lambda _engine: self._stopped.set())
        threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()

    @contextmanager
    def watching(self, dbapi_connection: Any) -> Iterator[None]:
        """Watch what ``dbapi_connection`` sends outside a statement (a ping)."""
        self._start(dbapi_connection)
        try:
            yield
        finally:
            self._end(dbapi_connection)

    def end_overdue(self, now: float) -> int:
        """Shut down the connections whose statement started ``limit`` seconds before ``now``."""
        with self._lock:
            overdue = [(key, connection) for key, (since, connection) in self._started.items()
                       if now - since >= self.limit]
            for key, _connection in overdue:
                del self._started[key]
        for _key, connection in overdue:
            log.warning("no answer from the database: connection ended",
                        extra={"waited_s": round(self.limit, 1)})
            _shut_down(connection)
        return len(overdue)

    def _run(self) -> None:
        interval = max(0.1, min(self.limit / 4, 5.0))
        while not self._stopped.wait(interval):
            self.end_overdue(time.monotonic())

    def _start(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._started[id(dbapi_connection)] = (time.monotonic(), dbapi_connection)

    def _end(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._started.pop(id(dbapi_connection), None)

    def _before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self._start(cursor.connection)

    def _after(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self._end(cursor.connection)

    def _failed(self, context: Any) -> None:
        cursor = getattr(context.execution_context, "cursor", None)
        if cursor is not None:
            self._end(cursor.connection)


def _shut_down(dbapi_connection: Any) -> None:
    # Shut down, not closed: the descriptor stays the driver's (closing it could hand its
    # number to another file while the driver still uses it); the waiting read sees the end.
    try:
        with socket.socket(fileno=os.dup(dbapi_connection.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # closed already (the driver's error or the OS's): nothing waits on it
        log.debug("connection already closed", exc_info=True)
