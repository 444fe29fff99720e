"""The long-running commands: the API alone, the API with the scheduler, and the worker.

Each ends cleanly on SIGTERM or SIGINT: the API stops taking requests, scheduled work in
flight is cancelled (its claims are freed, so other workers take it over at once), the parse
pool's processes are stopped, the database engine closed, and the process exits 0.

With ``api.workers`` above 1 the API runs in that many child processes sharing one listening
socket (the kernel spreads connections between them), so requests use every core. The parent
only binds the socket, supervises the children and, under `monitor run`, runs the scheduler:
scheduled work never runs once per API process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.context import SpawnProcess
from pathlib import Path

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from collectors.parsing import close_default_pool
from monitor.config import Settings
from monitor.errors import ConfigError, DatabaseError, MonitorError
from monitor.logs import configure_logging
from monitor.runtime import Runtime, open_runtime
from monitor.scheduler import build_scheduler
from monitor.stopping import STOP_SIGNALS

LISTEN_BACKLOG = 2048
SUPERVISE_EVERY = 1.0  # seconds between checks that every API worker is alive
STOP_GRACE = 30.0  # seconds an API worker has to finish its requests once told to stop
STARTUP_FAILED = 3  # an API worker's exit code when it cannot open the database
# Fresh interpreters, not forks: nothing of the parent's engine, threads or scheduler is copied.
_SPAWN = multiprocessing.get_context("spawn")
log = logging.getLogger(__name__)


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
        await _serve(runtime, host, port)
    finally:
        await _close(runtime, None)


async def serve_api_with_scheduler(
    runtime: Runtime, *, host: str | None, port: int | None
) -> None:
    runtime.keep_claims_alive()
    scheduler = build_scheduler(runtime)
    scheduler.start()
    try:
        await _serve(runtime, host, port)
    finally:
        await _close(runtime, scheduler)


async def _serve(runtime: Runtime, host: str | None, port: int | None) -> None:
    settings = runtime.settings
    if settings.api.workers == 1:
        await _server(runtime, host, port).serve()
        return
    listener = bind_listener(host or settings.api.host, port or settings.api.port)
    try:
        await ApiWorkers(settings, listener).run()
    finally:
        listener.close()


def bind_listener(host: str, port: int) -> socket.socket:
    """The listening socket the API processes share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets
    # that say they are TCP, and accepted connections inherit what the listener says. With
    # Nagle on, a response written in two parts waits ~40 ms for the client's delayed ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    listener.listen(LISTEN_BACKLOG)
    listener.set_inheritable(True)
    return listener


class ApiWorkers:
    """``api.workers`` API processes on one socket: started, replaced when one dies, and
    stopped (SIGTERM, each finishing its requests) when this process is signalled."""

    def __init__(self, settings: Settings, listener: socket.socket) -> None:
        self.settings = settings
        self.listener = listener
        self.stop = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self.stop.set)
        processes = [self._start() for _ in range(self.settings.api.workers)]
        try:
            while not self.stop.is_set():
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=SUPERVISE_EVERY)
                processes = [self._replace_if_dead(p) for p in processes]
        finally:
            for signum in STOP_SIGNALS:
                loop.remove_signal_handler(signum)
            await asyncio.to_thread(_stop_processes, processes)

    def _start(self) -> SpawnProcess:
        process = _SPAWN.Process(target=run_api_worker, args=(self.settings, self.listener),
                                 name="monitor-api", daemon=False)
        process.start()
        return process

    def _replace_if_dead(self, process: SpawnProcess) -> SpawnProcess:
        if process.is_alive() or self.stop.is_set():
            return process
        if process.exitcode == STARTUP_FAILED:
            raise DatabaseError("an API worker could not start: see its error above")
        log.warning("API worker ended; starting another",
                    extra={"pid": process.pid, "exit_code": process.exitcode})
        return self._start()


def _stop_processes(processes: list[SpawnProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=STOP_GRACE)
        if process.is_alive():
            process.kill()
            process.join()


def run_api_worker(settings: Settings, listener: socket.socket) -> None:
    """One API process (the target of each spawned worker)."""
    configure_logging(settings.log_level)
    try:
        runtime = open_runtime(settings, auto_upgrade=False)
    except MonitorError as exc:
        log.error("API worker cannot start", extra={"reason": str(exc)})
        sys.exit(STARTUP_FAILED)
    asyncio.run(_serve_on(runtime, listener))


async def _serve_on(runtime: Runtime, listener: socket.socket) -> None:
    try:
        await _server(runtime, None, None).serve(sockets=[listener])
    finally:
        await _close(runtime, None)


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
