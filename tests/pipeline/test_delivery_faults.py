"""Deliveries under a misbehaving receiver: a Slack webhook answering a storm of 429s (with
Retry-After) and 500s before it recovers, and an SMTP server that accepts a connection and
never says a word. Both are real servers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models_alerts import Delivery
from monitor.db.repositories.alerts import AlertRepository
from monitor.pipeline.deliver import send_due_deliveries
from monitor.runtime import Runtime
from tests.desk_seed import NOW, seed, seed_alert
from tests.notify.conftest import Receiver, receiver
from tests.notify.test_email import Mailbox

__all__ = ["receiver"]
STORM = [(429, "rate_limited", {"Retry_After": "120"})] * 3 + \
    [(500, "internal_error", {})] * 2 + [(429, "rate_limited", {"Retry_After": "30"})]


def _configured(runtime: Runtime, **notifications: Any) -> Runtime:
    settings = Settings(database=runtime.settings.database.model_dump(),
                        notifications=notifications)
    return Runtime(settings, runtime.engine, runtime.sessions)


def _deliveries(runtime: Runtime, channel: str) -> list[Delivery]:
    with runtime.reads() as session:
        return list(session.scalars(select(Delivery).where(Delivery.channel == channel)
                                    .order_by(Delivery.created_at, Delivery.id)))


def _alert_ids(box: Receiver, start: int = 0) -> list[int]:
    return [int(m) for r in box.requests[start:]
            for m in re.findall(r"/alerts/(\d+)", r.body.decode())[:1]]


def _send(runtime: Runtime, now: datetime) -> None:
    asyncio.run(send_due_deliveries(runtime, now=now))


def test_a_slack_429_storm_is_waited_out_in_order_and_each_alert_arrives_once(
        runtime: Runtime, receiver: Receiver) -> None:
    configured = _configured(runtime, slack={"webhook_url": receiver.url})
    seed(configured, [])
    raised = [seed_alert(configured, title=f"alert {i}", severity="critical",
                         created_at=NOW + timedelta(minutes=i), deliveries=("slack:pending",))
              for i in range(5)]
    for status, body, headers in STORM:
        receiver.respond(status, body, **headers)
    start = datetime.now(UTC)
    _send(configured, start)
    assert len(receiver.requests) == 1  # the first was refused; the rest of Slack waits
    rows = _deliveries(configured, "slack")
    assert all(r.status == "pending" for r in rows)
    # Retry-After: 120 is honoured by the refused one and by everything queued behind it.
    assert all(r.next_attempt_at >= start + timedelta(seconds=120) for r in rows)
    _send(configured, start + timedelta(seconds=60))
    assert len(receiver.requests) == 1  # nothing is sent before the receiver allows it
    for step in range(1, 40):
        _send(configured, start + timedelta(hours=7 * step))
        if all(r.status != "pending" for r in _deliveries(configured, "slack")):
            break
    assert [r.status for r in _deliveries(configured, "slack")] == ["sent"] * 5
    assert _alert_ids(receiver)[:len(STORM)] == [raised[0]] * len(STORM)
    assert _alert_ids(receiver, len(STORM)) == raised  # once each, in the order raised
    _send(configured, start + timedelta(days=30))
    assert len(receiver.requests) == len(STORM) + len(raised)  # nothing sent twice


class HangingSmtp:
    """Accepts connections and never answers; notes when each connection ends."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.open = 0
        self.accepted = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self.open += 1
                self.accepted += 1
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        with connection:
            while connection.recv(1024):
                pass  # whatever arrives, no reply
        with self._lock:
            self.open -= 1

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()


@pytest.fixture
def hanging_smtp() -> Iterator[HangingSmtp]:
    server = HangingSmtp()
    yield server
    server.close()


def _queue_digest(runtime: Runtime, at: datetime) -> None:
    with unit_of_work(runtime.sessions) as session:
        AlertRepository(session).enqueue([{
            "key": "digest:2026-W47", "alert_id": None, "channel": "email",
            "severity": "info", "status": "pending", "attempts": 0, "next_attempt_at": at,
            "created_at": at,
            "payload": {"subject": "Weekly digest", "html": "<p>Acme</p>", "text": "Acme"}}])


def test_a_hanging_smtp_server_times_out_is_retried_and_holds_back_no_other_channel(
        runtime: Runtime, receiver: Receiver, hanging_smtp: HangingSmtp) -> None:
    configured = _configured(
        runtime, slack={"webhook_url": receiver.url},
        email={"smtp_host": "127.0.0.1", "smtp_port": hanging_smtp.port, "starttls": False,
               "sender": "monitor@example.com", "recipients": ["team@example.com"],
               "timeout": "2s"})
    seed(configured, [])
    _queue_digest(configured, NOW - timedelta(hours=1))  # queued before the alert
    alert = seed_alert(configured, title="spike", severity="critical", created_at=NOW,
                       deliveries=("slack:pending",))
    start = datetime.now(UTC)

    async def run() -> tuple[bool, int]:
        delivering = asyncio.create_task(send_due_deliveries(configured, now=start))
        while not receiver.requests and not delivering.done():
            await asyncio.sleep(0.01)  # the event loop (the scheduler's) stays free
        still_hanging = not delivering.done() and hanging_smtp.open == 1
        await delivering
        return still_hanging, hanging_smtp.open

    slack_went_while_smtp_hung, open_after = asyncio.run(run())
    assert slack_went_while_smtp_hung
    assert _alert_ids(receiver) == [alert]
    assert open_after == 0 or hanging_smtp.accepted == 1  # the client gave the connection up
    [digest] = _deliveries(configured, "email")
    assert (digest.status, digest.attempts) == ("pending", 1)
    assert "timeout" in (digest.last_response or "")
    assert digest.next_attempt_at > start
    [slack] = _deliveries(configured, "slack")
    assert slack.status == "sent"

    # Later the server works: the digest goes out once, and only once.
    port = hanging_smtp.port
    hanging_smtp.close()
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _send(configured, start + timedelta(hours=2))
        _send(configured, start + timedelta(days=2))
    finally:
        controller.stop()
    [digest] = _deliveries(configured, "email")
    assert digest.status == "sent"
    assert len(box.messages) == 1
    assert len(receiver.requests) == 1
