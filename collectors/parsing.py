"""CPU-heavy parsing off the event loop, in worker processes, with a per-document time limit.

feedparser and trafilatura are pure CPU: a 2 MB feed or a large article page holds the GIL
for tens to hundreds of milliseconds, which would stall every fetch sharing the loop. Small
bodies parse inline, where handing them over would cost more than parsing them (see
``INLINE_BELOW_BYTES``). The limit is enforced twice: inside the worker with an interval
timer (interrupts Python-level loops), and by the caller, who stops waiting, reports a
ParseTimeout and replaces the pool so later work does not queue behind a stuck worker.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import FrameType
from typing import ParamSpec, TypeVar

from collectors.errors import ParseError, ParseTimeout

P = ParamSpec("P")
T = TypeVar("T")

# Measured on the development machine: a worker round trip costs ~0.6 ms, while feedparser
# needs ~1.7 ms per kB (7 kB feed: 12.6 ms inline, 9.3 ms via the pool; 680 kB: 0.66 s)
# and trafilatura ~25 ms for a 6 kB article page. Shipping work to a worker is cheap next
# to the loop stall it avoids, so only trivially small bodies are parsed inline.
INLINE_BELOW_BYTES = 2_048
DEFAULT_TIME_LIMIT_S = 20.0
GRACE_S = 5.0  # past the limit, the caller still waits for the worker's own timer (or start-up)
PRELOAD_MODULES = ("collectors.feeds", "collectors.pages", "collectors.sitemaps")
# Further modules the workers import before their first task: the callers' own functions
# that they run in the workers (see ``add_worker_preload``).
_extra_preload: list[str] = []


class _WorkerTimeout(Exception):
    """Raised inside a worker by the interval timer."""


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _WorkerTimeout


def _call_with_limit(limit_s: float, label: str, call: Callable[[], T]) -> T:
    """Run ``call`` in a worker's main thread, interrupted after ``limit_s`` seconds."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit_s)
    try:
        return call()
    except _WorkerTimeout:
        raise ParseTimeout(label, f"parsing took longer than {limit_s:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def default_workers() -> int:
    """One worker per core: on a crawl, parsing is most of the CPU work, and the event loop
    mostly waits on the network (the operating system shares the cores among them)."""
    return max(1, os.cpu_count() or 1)


def lower_priority(nice: int) -> None:
    """Run this process at ``nice`` or lower CPU priority: its threads, and the threads and
    processes it starts from now on. Never raises a priority: that needs privileges, and an
    operator who started the process lower meant it."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    for thread in _own_threads():
        try:
            if nice > os.getpriority(os.PRIO_PROCESS, thread):
                os.setpriority(os.PRIO_PROCESS, thread, nice)
        except ProcessLookupError:
            continue  # ended meanwhile


def _own_threads() -> list[int]:
    """Linux keeps a nice value per thread: every thread's id there, else 0 (the process)."""
    tasks = Path("/proc/self/task")
    return [int(t.name) for t in tasks.iterdir()] if tasks.is_dir() else [0]


def _started() -> None:
    """A worker's first task: it is running."""


class ParsePool:
    """A process pool for parsers; inline for small inputs, workers for large ones."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        time_limit_s: float = DEFAULT_TIME_LIMIT_S,
        inline_below_bytes: int = INLINE_BELOW_BYTES,
        grace_s: float = GRACE_S,
        nice: int = 0,
    ) -> None:
        self.workers = workers or default_workers()
        self.nice = nice
        self.time_limit_s = time_limit_s
        self.grace_s = grace_s
        self.inline_below_bytes = inline_below_bytes
        self._executor: ProcessPoolExecutor | None = None
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._starting: threading.Thread | None = None

    def start_soon(self) -> None:
        """Start the worker processes in the background (the first task handed over does it
        too). Their server imports the parsers (and the preloaded modules) first, about a
        second during which the caller's event loop would otherwise stand still at its first
        task; this way it goes on fetching, and only the tasks wait."""
        if self._executor is None and not (self._starting and self._starting.is_alive()):
            self._starting = threading.Thread(target=self._start_workers, daemon=True)
            self._starting.start()

    def _start_workers(self) -> None:
        executor = self._pool()
        for started in [executor.submit(_started) for _ in range(self.workers)]:
            started.result()

    async def run(
        self, label: str, size: int, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``func(*args)``: inline when ``size`` (input bytes) is small, else in a worker.

        ``func`` must be a module-level function, its arguments and result picklable.
        Raises ParseTimeout (naming ``label``, usually the URL) past the time limit.
        """
        if size < self.inline_below_bytes:
            return func(*args, **kwargs)
        if self._executor is None:
            self.start_soon()  # the first task waits for the workers, the event loop does not
        while self._starting is not None and self._starting.is_alive():
            await asyncio.sleep(0.02)
        bound = functools.partial(func, *args, **kwargs)
        call = functools.partial(_call_with_limit, self.time_limit_s, label, bound)
        async with self._slots_for(asyncio.get_running_loop()):
            future = asyncio.get_running_loop().run_in_executor(self._pool(), call)
            try:
                return await asyncio.wait_for(future, self.time_limit_s + self.grace_s)
            except TimeoutError:
                self._discard_pool()
            except BrokenProcessPool as exc:
                self._discard_pool()
                raise ParseError(label, "parser process died (out of memory or killed)") from exc
        raise ParseTimeout(label, f"parsing took longer than {self.time_limit_s:g} s")

    def _slots_for(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        """At most one task per worker is handed over, so the clock starts when the task
        starts, not while it waits in the pool's queue. (One semaphore per event loop: a
        pool may outlive the loop that first used it.)"""
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.workers))
        return self._slots[1]

    def close(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: forking a process that runs an event loop and threads is unsafe.
            # Workers fork from a server that has imported the parsers once, so a new
            # worker starts in milliseconds instead of re-importing trafilatura.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([*PRELOAD_MODULES, *_extra_preload])
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                                 initializer=lower_priority,
                                                 initargs=(self.nice,))
        return self._executor

    def _discard_pool(self) -> None:
        if self._executor is not None:
            # A worker stuck in C code would run on after shutdown(): end it. Python 3.11 has
            # no public way to reach a pool's processes (3.14 adds terminate_workers()).
            for process in list(getattr(self._executor, "_processes", {}).values()):
                process.kill()
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


_default_pool: ParsePool | None = None


def default_pool() -> ParsePool:
    """The process-wide pool the collectors use unless given another."""
    global _default_pool
    if _default_pool is None:
        _default_pool = ParsePool()
    return _default_pool


def use_parse_workers(workers: int | None, nice: int = 0) -> ParsePool:
    """Make the default pool one of ``workers`` processes (None or 0: one per core) running
    at ``nice``, replacing a default pool set up otherwise; returns it."""
    wanted = workers or default_workers()
    current = _default_pool
    if current is not None and current.workers == wanted and current.nice == nice:
        return current
    pool = ParsePool(wanted, nice=nice)
    previous = set_default_pool(pool)
    if previous is not None:
        previous.close()
    return pool


def add_worker_preload(modules: Sequence[str]) -> None:
    """Have worker processes started from now on import ``modules`` (by name) up front,
    as they do the parsers, so that the first task run in each does not pay for it."""
    _extra_preload.extend(m for m in modules if m not in _extra_preload)


def close_default_pool() -> None:
    """Stop the default pool's worker processes (at the end of a command or a service)."""
    pool = set_default_pool(None)
    if pool is not None:
        pool.close()


def set_default_pool(pool: ParsePool | None) -> ParsePool | None:
    """Install ``pool`` as the default (None: a fresh one on next use); returns the old one."""
    global _default_pool
    previous, _default_pool = _default_pool, pool
    return previous


async def run_parser(
    label: str, size: int, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Shorthand for ``default_pool().run(...)``."""
    return await default_pool().run(label, size, func, *args, **kwargs)
