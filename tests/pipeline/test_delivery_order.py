"""After a receiver's outage, one channel's messages arrive in the order their alerts were
raised, whatever the retry jitter, and messages queued during the outage come after them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from monitor.config import Settings
from monitor.pipeline.deliver import send_due_deliveries
from monitor.runtime import Runtime
from tests.desk_seed import NOW, seed, seed_alert
from tests.notify.conftest import Receiver, receiver

__all__ = ["receiver"]


def _alerts_received(box: Receiver) -> list[int]:
    return [json.loads(r.body)["alert"]["id"] for r in box.requests]


def test_a_channel_delivers_in_the_order_alerts_were_raised_after_an_outage(
        runtime: Runtime, receiver: Receiver) -> None:
    settings = Settings(database=runtime.settings.database.model_dump(),
                        notifications={"webhook": {"url": receiver.url, "secret": "s3cret"}})
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    seed(configured, [])
    raised = [seed_alert(configured, title=f"alert {i}", severity="critical",
                         created_at=NOW + timedelta(minutes=i), deliveries=("webhook:pending",))
              for i in range(6)]
    for _ in range(4):
        receiver.respond(500, "down")
    clock = datetime.now(UTC)
    asyncio.run(_send(configured, clock))  # the outage begins
    late = seed_alert(configured, title="raised during the outage", severity="critical",
                      created_at=NOW + timedelta(hours=1), deliveries=("webhook:pending",))
    for step in range(1, 30):
        asyncio.run(_send(configured, clock + timedelta(days=step)))
    delivered = _alerts_received(receiver)[4:]  # after the four refused attempts
    assert delivered == [*raised, late]


async def _send(runtime: Runtime, now: datetime) -> None:
    await send_due_deliveries(runtime, now=now)
