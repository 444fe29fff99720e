"""The parse pool: inline for small inputs, workers for large ones, a time limit for both."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.errors import ParseError, ParseTimeout
from collectors.feeds import parse_feed
from collectors.parsing import ParsePool

pytestmark = pytest.mark.anyio


def big_feed(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Item {i}</title><guid>g{i}</guid><description>Acme news number {i} "
        + "with some words " * 20
        + "</description></item>"
        for i in range(items)
    )
    return f'<rss version="2.0"><channel><title>Big</title>{entries}</channel></rss>'.encode()


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsePool]:
    opened = ParsePool(workers=1, time_limit_s=1.0, inline_below_bytes=10_000)
    yield opened
    opened.close()


async def test_small_input_parses_inline(pool: ParsePool) -> None:
    assert await pool.run("label", 10, os.getpid) == os.getpid()


async def test_large_input_parses_in_a_worker(pool: ParsePool) -> None:
    body = big_feed(200)
    assert await pool.run("label", len(body), os.getpid) != os.getpid()
    feed = await pool.run(
        "https://s.example/feed", len(body), parse_feed, body, "https://s.example/feed", {}
    )
    assert len(feed.entries) == 200
    assert feed.entries[-1].title == "Item 199"


async def test_errors_in_workers_arrive_intact(pool: ParsePool) -> None:
    with pytest.raises(ParseError, match=r"https://s\.example/x: not a usable feed"):
        await pool.run("x", 1_000_000, parse_feed, b"not xml", "https://s.example/x", {})


async def test_time_limit_stops_a_slow_parse_and_pool_recovers(pool: ParsePool) -> None:
    with pytest.raises(
        ParseTimeout, match=r"https://s\.example/slow: parsing took longer than 1 s"
    ):
        await pool.run("https://s.example/slow", 1_000_000, time.sleep, 30)
    assert await pool.run("label", 1_000_000, os.getpid) != os.getpid()


async def test_uninterruptible_parse_is_abandoned_by_the_caller() -> None:
    # sum() over a range runs in C, where the worker's own timer cannot interrupt it:
    # the caller stops waiting, reports the timeout and moves on with a fresh pool.
    pool = ParsePool(workers=1, time_limit_s=0.1, inline_below_bytes=0, grace_s=0.1)
    try:
        with pytest.raises(ParseTimeout, match="c-loop"):
            await pool.run("c-loop", 1, sum, range(20_000_000))
        pool.grace_s = 60  # leave the replacement worker time to start
        assert await pool.run("label", 1, os.getpid) != os.getpid()
    finally:
        pool.close()


async def test_dead_worker_is_a_parse_error_and_pool_recovers() -> None:
    pool = ParsePool(workers=1, inline_below_bytes=0)
    try:
        with pytest.raises(ParseError, match="parser process died"):
            await pool.run("crash", 1, os._exit, 3)
        assert await pool.run("label", 1, os.getpid) != os.getpid()
    finally:
        pool.close()


async def test_workers_started_in_the_background_take_the_first_tasks() -> None:
    pool = ParsePool(workers=2, inline_below_bytes=0)
    try:
        pool.start_soon()
        pool.start_soon()  # once is enough
        pids = {await pool.run("label", 1, os.getpid) for _ in range(4)}
        assert os.getpid() not in pids
        assert len(pids) <= 2
    finally:
        pool.close()


def _own_priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


async def test_workers_run_at_the_pool_priority() -> None:
    base = _own_priority()
    if base >= 19:
        pytest.skip("this process already runs at the lowest priority")
    wanted = min(19, base + 3)
    pool = ParsePool(workers=1, inline_below_bytes=0, nice=wanted)
    try:
        assert await pool.run("label", 10, _own_priority) == wanted
    finally:
        pool.close()
    assert _own_priority() == base  # the caller keeps its own


def _priority_after(start: int, asked: int) -> int:
    script = ("import os; from collectors.parsing import lower_priority; "
              f"os.nice({start}); lower_priority({asked}); "
              "print(os.getpriority(os.PRIO_PROCESS, 0))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    return int(done.stdout)


def test_lower_priority_lowers_and_never_raises() -> None:
    base = _own_priority()
    if base > 9:
        pytest.skip("this process already runs at a low priority")
    assert _priority_after(0, 12) == max(base, 12)
    assert _priority_after(15 - base, 12) == 15  # started lower: left alone
    assert _priority_after(0, 0) == base
