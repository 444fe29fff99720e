"""The scheduled work of one process (APScheduler, in memory): cycles, deliveries, the digest.

Runs in `monitor run` and `monitor worker`, never inside API processes. Any number of
processes share the work through the database, not the scheduler: due sources, threads and
deliveries are claimed (with SKIP LOCKED on Postgres), and the singleton jobs (alert
evaluation, the digests) run in one process at a time under an advisory lock; a digest
cannot go out twice anyway, because its delivery is keyed by its week (or day).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from monitor.db.repositories.claims import hold_singleton
from monitor.notify.days import compute_previous_day
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.deliver import send_due_deliveries
from monitor.pipeline.digest import compute_last_week, send_daily_digest, send_digest
from monitor.pipeline.maintenance import refresh_statistics
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
DELIVERY_TICK = timedelta(seconds=20)
# Planner statistics go stale as the store grows: a plan chosen for ten thousand mentions can
# read every row of a million.
STATISTICS_TICK = timedelta(hours=6)


def build_scheduler(runtime: Runtime, tick: timedelta | None = None) -> AsyncIOScheduler:
    tick = tick or runtime.settings.workers.tick
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(_cycle, "interval", seconds=tick.total_seconds(), args=[runtime],
                      id="cycle", max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    scheduler.add_job(_deliver, "interval", seconds=min(tick, DELIVERY_TICK).total_seconds(),
                      args=[runtime], id="deliver", max_instances=1, coalesce=True)
    scheduler.add_job(_refresh_statistics, "interval", seconds=STATISTICS_TICK.total_seconds(),
                      args=[runtime], id="statistics", max_instances=1, coalesce=True)
    notifications = runtime.settings.notifications
    if notifications.email is not None and notifications.digest.enabled:
        at = notifications.digest.at
        trigger = CronTrigger(day_of_week=notifications.digest.weekday, hour=at.hour,
                              minute=at.minute, timezone=ZoneInfo(notifications.timezone))
        scheduler.add_job(_digest, trigger, args=[runtime], id="digest", max_instances=1,
                          coalesce=True, misfire_grace_time=6 * 3600)
    if notifications.email is not None and notifications.digest.daily:
        at = notifications.digest.at
        trigger = CronTrigger(hour=at.hour, minute=at.minute,
                              timezone=ZoneInfo(notifications.timezone))
        scheduler.add_job(_daily_digest, trigger, args=[runtime], id="daily_digest",
                          max_instances=1, coalesce=True, misfire_grace_time=6 * 3600)
    return scheduler


async def _cycle(runtime: Runtime) -> None:
    try:
        report = await run_cycle(runtime)
    except asyncio.CancelledError:
        log.info("cycle stopped: shutting down")
        return
    except Exception:
        log.exception("cycle failed")
        return
    collected = report.collected
    for error in collected.program_errors:
        # A bug or a broken install, said once per cycle rather than once per source.
        log.error("brand-monitor itself failed while collecting; sources were not blamed",
                  extra={"error": error})
    if collected.outcomes or report.alerts.opened:
        log.info("cycle done", extra={
            "sources": len(collected.sources), "failed": len(collected.failed),
            "new_documents": collected.new_documents, "new_mentions": collected.new_mentions,
            "alerts_opened": report.alerts.opened, "sent": report.deliveries.sent,
        })


async def _deliver(runtime: Runtime) -> None:
    try:
        await send_due_deliveries(runtime)
    except asyncio.CancelledError:
        log.info("delivery run stopped: shutting down")
    except Exception:
        log.exception("delivery run failed")


async def _refresh_statistics(runtime: Runtime) -> None:
    try:
        await asyncio.to_thread(refresh_statistics, runtime)
    except Exception:
        log.exception("refreshing planner statistics failed")


async def _digest(runtime: Runtime) -> None:
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    week = compute_last_week(datetime.now(UTC), zone)
    await _send_once(runtime, "digest", "weekly digest", {"week": week},
                     lambda: send_digest(runtime, week))


async def _daily_digest(runtime: Runtime) -> None:
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    day = compute_previous_day(datetime.now(UTC), zone)
    await _send_once(runtime, "daily_digest", "daily digest", {"day": day.isoformat()},
                     lambda: send_daily_digest(runtime, day))


async def _send_once(runtime: Runtime, lock: str, what: str, ids: dict[str, Any],
                     send: Callable[[], Awaitable[Any]]) -> None:
    """Run ``send`` in the one process holding ``lock`` cluster-wide; log its outcome."""
    try:
        with hold_singleton(runtime.engine, lock) as mine:
            if not mine:
                return
            result = await send()
    except asyncio.CancelledError:
        log.info(f"{what} stopped: shutting down", extra=ids)
        return
    except Exception:
        log.exception(f"{what} failed", extra=ids)
        return
    log.info(what, extra={**ids, "status": result.status})
