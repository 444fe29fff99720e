"""Admission to the database: a bounded number of requests use it at once, each for a bounded time.

Sync handlers run in worker threads. Without a bound, a stalled database (packets swallowed, not
refused) would hold every thread, and pages that need no database would hang behind them. Here
at most ``capacity`` requests hold the database; the next wait ``queue_timeout`` for a place and
are then answered 503. A request still without a response after ``deadline`` is answered 503
too; its thread finishes (or fails) in the background, still holding its place.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RETRY_AFTER, error_body

NO_DATABASE = ("/static/", "/docs", "/redoc", "/openapi.json", "/favicon.ico")
log = logging.getLogger(__name__)


def needs_database(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    if path.startswith(NO_DATABASE):
        return False
    return not (path == "/login" and scope.get("method") in ("GET", "HEAD"))


class DatabaseGate:
    """Pure ASGI middleware bounding how many requests use the database, and for how long."""

    def __init__(self, app: ASGIApp, *, capacity: int, queue_timeout: float,
                 deadline: float) -> None:
        self.app = app
        self.capacity = capacity
        self.queue_timeout = queue_timeout
        self.deadline = deadline
        self._slots: asyncio.Semaphore | None = None
        self._abandoned: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_database(scope):
            await self.app(scope, receive, send)
            return
        slots = self._slots or self._make_slots()
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.queue_timeout)
        except TimeoutError:
            log.warning("database busy: request refused", extra={"path": scope.get("path")})
            await _busy(scope, receive, send, "the database is busy: try again shortly")
            return
        await self._run(scope, receive, send, slots)

    def _make_slots(self) -> asyncio.Semaphore:
        # Created on first use, inside the server's event loop.
        self._slots = asyncio.Semaphore(self.capacity)
        return self._slots

    async def _run(self, scope: Scope, receive: Receive, send: Send,
                   slots: asyncio.Semaphore) -> None:
        started = asyncio.Event()
        state = {"abandoned": False}

        async def watched_send(message: Message) -> None:
            if state["abandoned"]:
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        async def call_app() -> None:
            try:
                await self.app(scope, receive, watched_send)
            finally:
                slots.release()

        task = asyncio.create_task(call_app())
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({task, waiter}, timeout=self.deadline,
                           return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if task.done() or started.is_set():
            await task
            return
        state["abandoned"] = True
        self._abandon(task, str(scope.get("path")))
        await _busy(scope, receive, send, "the database did not answer in time")

    def _abandon(self, task: asyncio.Task[None], path: str) -> None:
        log.warning("request abandoned after its deadline", extra={"path": path})
        self._abandoned.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("abandoned request ended with an error", exc_info=task.exception())


async def _busy(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    response = JSONResponse(error_body("database_unavailable", message), status_code=503,
                            headers=RETRY_AFTER)
    await response(scope, receive, send)
