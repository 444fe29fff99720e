"""The long-running commands: the API alone, the API with the scheduler, and the worker.

Each ends cleanly on SIGTERM or SIGINT: the API stops taking requests, scheduled work in
flight is cancelled (its claims are freed, so other workers take it over at once), the parse
pool's processes are stopped, the database engine closed, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from collectors.parsing import close_default_pool
from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.runtime import Runtime
from monitor.scheduler import build_scheduler

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal that stopped it once serve() returns, which kills the
        # process before the clean-up below runs (exit -15, orphaned parse workers). The
        # signal has done its job when serving stops: forget it.
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def _server(runtime: Runtime, host: str | None, port: int | None) -> uvicorn.Server:
    from api.app import create_app

    settings = runtime.settings
    config = uvicorn.Config(
        create_app(settings, runtime), host=host or settings.api.host,
        port=port or settings.api.port, log_level="warning", access_log=False,
    )
    return _Server(config)


async def serve_api(runtime: Runtime, *, host: str | None, port: int | None) -> None:
    try:
        await _server(runtime, host, port).serve()
    finally:
        await _close(runtime, None)


async def serve_api_with_scheduler(
    runtime: Runtime, *, host: str | None, port: int | None
) -> None:
    runtime.keep_claims_alive()
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        await _server(runtime, host, port).serve()
    finally:
        await _close(runtime, scheduler)


def require_shared_database(settings: Settings) -> None:
    """Workers share work through Postgres; a SQLite file belongs to one process."""
    if not settings.database.url.startswith("postgresql"):
        raise ConfigError(
            "monitor worker needs Postgres (database.url = postgresql+psycopg://...): on "
            "SQLite, run `monitor run`, which collects, analyses and delivers in the same "
            "process as the API"
        )


async def run_worker(runtime: Runtime, *, health_file: Path | None = None) -> None:
    """Collect, analyse and deliver on the schedule, without the API, until signalled."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    on_beat = (lambda: health_file.touch()) if health_file is not None else None
    if on_beat is not None:
        on_beat()
    runtime.keep_claims_alive(on_beat)
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        await _close(runtime, scheduler)


async def _close(runtime: Runtime, scheduler: AsyncIOScheduler | None) -> None:
    if scheduler is not None:
        scheduler.shutdown(wait=False)
        await _cancel_running_jobs()
    close_default_pool()
    runtime.dispose()


async def _cancel_running_jobs() -> None:
    """Scheduled jobs in flight stop here; their claims are freed by ``runtime.dispose``."""
    await asyncio.sleep(0)  # jobs started just now enter their own error handling first
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
