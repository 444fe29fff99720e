"""What a crawl costs the sites and the machine: parse workers as configured, nothing parsed
on an unchanged re-crawl, robots.txt asked once per host across cycles, threads only when
wanted. Cycles run over fixture sites on loopback, stored on SQLite and Postgres."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import pytest
from sqlalchemy import select

from collectors.parsing import ParsePool, default_pool, set_default_pool
from monitor.config import Settings
from monitor.db.models import ThreadWatch
from monitor.pipeline.collect import CycleReport, run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import Runtime
from tests.collectors.conftest import SITES, FixtureServer

P = ParamSpec("P")
T = TypeVar("T")


class CountingPool(ParsePool):
    """Parses inline (no worker processes) and remembers what it was asked to parse."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers, inline_below_bytes=1 << 40)
        self.labels: list[str] = []

    async def run(self, label: str, size: int, func: Callable[P, T], *args: P.args,
                  **kwargs: P.kwargs) -> T:
        self.labels.append(label)
        return await super().run(label, size, func, *args, **kwargs)


@pytest.fixture
def wordpress() -> Iterator[FixtureServer]:
    server = FixtureServer(directory=SITES / "wordpress").start()
    yield server
    server.stop()


@pytest.fixture
def restore_pool() -> Iterator[None]:
    previous = set_default_pool(None)
    yield
    pool = set_default_pool(previous)
    if pool is not None:
        pool.close()


def _configure(runtime: Runtime, server: FixtureServer, **collector: object) -> Runtime:
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True, **collector},
        brands=[{"name": "Acme", "query": "Acme"}],
        sources=[{"name": "WordPress", "url": server.url("/feed/")}],
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    return configured


def _cycle(runtime: Runtime) -> CycleReport:
    return asyncio.run(run_collect_cycle(runtime, include_all=True))


@pytest.mark.usefixtures("restore_pool")
@pytest.mark.parametrize(("configured", "expected"), [(3, 3), (0, os.cpu_count() or 1)])
def test_parse_workers_come_from_the_config(
    runtime: Runtime, wordpress: FixtureServer, configured: int, expected: int
) -> None:
    set_default_pool(ParsePool(7))  # a pool of another size is replaced, not kept
    runtime = _configure(runtime, wordpress, parse_workers=configured, fetch_threads=False)
    assert _cycle(runtime).failed == []
    assert default_pool().workers == expected


@pytest.mark.usefixtures("restore_pool")
def test_an_unchanged_recrawl_parses_nothing(runtime: Runtime, wordpress: FixtureServer) -> None:
    pool = CountingPool(2)
    set_default_pool(pool)
    # the same size and priority as configured, so the cycle keeps this pool
    runtime = _configure(runtime, wordpress, parse_workers=2, nice=0, fetch_threads=False)
    first = _cycle(runtime)
    assert [o.status for o in first.sources] == ["ok"]
    assert wordpress.url("/feed/") in pool.labels

    pool.labels.clear()
    wordpress.clear_log()
    again = _cycle(runtime)
    assert [o.status for o in again.sources] == ["not_modified"]
    assert pool.labels == []
    assert again.threads == []  # nothing became due: no thread is fetched again
    assert [r.path for r in wordpress.requests] == ["/feed/"]


def test_robots_txt_is_asked_once_per_host_across_cycles(
    runtime: Runtime, wordpress: FixtureServer
) -> None:
    runtime = _configure(runtime, wordpress, fetch_threads=False)
    _cycle(runtime)
    assert len(wordpress.requests_for("/robots.txt")) == 1
    wordpress.clear_log()
    _cycle(runtime)
    assert wordpress.requested_paths() == ["/feed/"]

    # A new process (a new runtime) knows nothing of it and asks again.
    _cycle(_configure(runtime, wordpress, fetch_threads=False))
    assert wordpress.requested_paths() == ["/feed/", "/robots.txt", "/feed/"]


def test_threads_are_fetched_only_when_wanted(runtime: Runtime, wordpress: FixtureServer
                                              ) -> None:
    without = _cycle(_configure(runtime, wordpress, fetch_threads=False))
    assert without.threads == []
    assert not [p for p in wordpress.requested_paths() if p.endswith("/feed/") and p != "/feed/"]
    with runtime.sessions() as session:
        assert session.scalars(select(ThreadWatch)).first() is not None  # found, not fetched

    wordpress.clear_log()
    with_threads = _cycle(_configure(runtime, wordpress))
    assert with_threads.threads
    assert [p for p in wordpress.requested_paths() if p.endswith("/feed/") and p != "/feed/"]
