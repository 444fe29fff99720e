"""The whole scheduled cycle: collect, evaluate alerts, deliver what is due."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.db.repositories.claims import hold_singleton
from monitor.pipeline.alerting import AlertReport, evaluate_alerts
from monitor.pipeline.collect import CycleReport, SourceOutcome, run_collect_cycle
from monitor.pipeline.deliver import DeliveryReport, send_due_deliveries
from monitor.runtime import Runtime


@dataclass(frozen=True, slots=True)
class FullReport:
    collected: CycleReport
    alerts: AlertReport
    deliveries: DeliveryReport


async def run_cycle(
    runtime: Runtime, *, include_all: bool = False, now: datetime | None = None,
    on_claimed: Callable[[int], None] | None = None,
    on_progress: Callable[[SourceOutcome], None] | None = None,
) -> FullReport:
    """One cycle of everything the scheduler does, as `monitor collect --once` runs it."""
    collected = await run_collect_cycle(runtime, include_all=include_all, now=now,
                                        on_claimed=on_claimed, on_progress=on_progress)
    moment = max(now or datetime.now(UTC), datetime.now(UTC))
    alerts = await asyncio.to_thread(_evaluate_alerts_once, runtime, moment)
    deliveries = await send_due_deliveries(runtime, now=moment)
    return FullReport(collected, alerts, deliveries)


def _evaluate_alerts_once(runtime: Runtime, now: datetime) -> AlertReport:
    """Alert evaluation is a singleton job: while another process evaluates, skip it (that
    evaluation, or the next cycle's, sees this cycle's mentions)."""
    with hold_singleton(runtime.engine, "alerts") as mine:
        return evaluate_alerts(runtime, now) if mine else AlertReport()
