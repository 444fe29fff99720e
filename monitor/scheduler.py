"""The scheduled work of one process: a collection cycle every tick (APScheduler, in memory).

Runs only in `monitor run`, never inside API worker processes: with several uvicorn workers
every job would run several times. Several machines share the work through the database
(due sources are claimed with SKIP LOCKED on Postgres), not through the scheduler.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.pipeline.collect import run_collect_cycle
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
DEFAULT_TICK = timedelta(seconds=30)


def build_scheduler(runtime: Runtime, tick: timedelta = DEFAULT_TICK) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        _collect, "interval", seconds=tick.total_seconds(), args=[runtime], id="collect",
        max_instances=1, coalesce=True, next_run_time=datetime.now(UTC),
    )
    return scheduler


async def _collect(runtime: Runtime) -> None:
    try:
        report = await run_collect_cycle(runtime)
    except Exception:
        log.exception("collection cycle failed")
        return
    if report.outcomes:
        log.info("collection cycle done", extra={
            "sources": len(report.outcomes), "failed": len(report.failed),
            "new_documents": report.new_documents, "new_mentions": report.new_mentions,
        })
