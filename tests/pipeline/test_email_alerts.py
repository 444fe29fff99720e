"""Alerts by e-mail through a real SMTP server (aiosmtpd on loopback): one message per alert
when opted in, none otherwise; retried through an outage and delivered once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from monitor.config import EmailSettings, Settings
from monitor.db.engine import unit_of_work
from monitor.db.models_alerts import Alert, Delivery
from monitor.db.repositories.alerts import AlertRepository
from monitor.pipeline.alerting import queue_notifications
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.deliver import send_due_deliveries
from monitor.pipeline.email_alerts import compute_smtp_params
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply
from tests.notify.test_email import Mailbox, free_port
from tests.pipeline.test_first_crawl import _feed

DASHBOARD = "https://monitor.example.org"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def forum() -> Iterator[FixtureServer]:
    server = FixtureServer({}).start()
    yield server
    server.stop()


class Smtp:
    """An aiosmtpd server on a port of its own, started and stopped at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[EmailMessage]:
        return [cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
                for _, _, raw in self.mailbox.messages]


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    yield server
    server.stop()


def _email(port: int, **alerts: Any) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": port, "starttls": False,
            "sender": "brand-monitor <monitor@example.com>",
            "recipients": ["digest@example.com"], **alerts}


def _settings(runtime: Runtime, email: dict[str, Any], sources: list[dict[str, Any]] | None = None
              ) -> Settings:
    return Settings(database=runtime.settings.database.model_dump(),
                    collector={"allow_private_networks": True},
                    api={"public_url": DASHBOARD},
                    brands=[{"name": "Quietco", "query": "Quietco"}],
                    sources=sources or [], notifications={"email": email})


def _parts(message: EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): str(p.get_content()) for p in message.iter_parts()}


@pytest.mark.parametrize("opted_in", [True, False])
def test_an_alert_is_emailed_once_when_opted_in_and_never_when_not(
    runtime: Runtime, forum: FixtureServer, smtp: Smtp, opted_in: bool
) -> None:
    forum.routes["/comments/feed/"] = Reply(200, _feed(25),
                                            {"Content-Type": "application/rss+xml"})
    email = _email(smtp.port, alerts=True) if opted_in else _email(smtp.port)
    settings = _settings(runtime, email, [{"name": "Forum", "url": forum.url("/comments/feed/"),
                                           "kind": "rss"}])
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    smtp.start()
    first = asyncio.run(run_cycle(configured))  # the first crawl finds a crisis running
    with runtime.sessions() as session:
        # as e-mailed: a later cycle may word the open alert's window again ("the hour to …")
        emailed_summaries = list(session.scalars(select(Alert.summary)))
    again = asyncio.run(run_cycle(configured, include_all=True))  # nothing new
    with runtime.sessions() as session:
        alerts = list(session.scalars(select(Alert)))
    assert [(a.subject, a.kind) for a in alerts] == [("Quietco", "volume_spike")]
    assert again.alerts.opened == 0
    if not opted_in:
        assert smtp.mailbox.messages == []
        assert first.deliveries.sent == 0
        return
    assert first.deliveries.sent == 1
    assert len(smtp.mailbox.messages) == 1
    sender, recipients, _ = smtp.mailbox.messages[0]
    assert (sender, recipients) == ("monitor@example.com", ["digest@example.com"])
    message = smtp.messages()[0]
    alert = alerts[0]
    assert "Quietco" in message["Subject"]
    assert "Volume spike" in message["Subject"]
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert len(emailed_summaries) == 1
    assert emailed_summaries[0] in parts["text/plain"]
    mentions_url = f"{DASHBOARD}/inbox?state=all&alert={alert.id}"
    assert mentions_url in parts["text/plain"]
    assert mentions_url.replace("&", "&amp;") in parts["text/html"]


def _store_alert(runtime: Runtime, settings: Settings, severity: str = "critical",
                 subject: str = "Quietco") -> int:
    """An alert as detection stores it, queued on the configured channels."""
    from tests.pipeline.test_alerts_flow import _explanation

    with unit_of_work(runtime.sessions) as session:
        alert = Alert(subject=subject, kind="volume_spike", severity=severity, state="open",
                      title=f"{subject}: volume spike", summary="25 mentions in an hour",
                      window_start=NOW - timedelta(hours=1), window_end=NOW, mention_count=25,
                      explanation=_explanation(), notifications=0, created_at=NOW,
                      last_seen_at=NOW)
        session.add(alert)
        session.flush()
        queue_notifications(AlertRepository(session), alert, settings, NOW)
        return alert.id


def _deliveries(runtime: Runtime) -> list[tuple[str, str, int]]:
    with runtime.sessions() as session:
        return [(d.key, d.status, d.attempts)
                for d in session.scalars(select(Delivery).order_by(Delivery.id))]


def test_smtp_down_then_up_retries_and_delivers_once(runtime: Runtime, smtp: Smtp) -> None:
    settings = _settings(runtime, _email(smtp.port, alerts=True))
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    alert_id = _store_alert(configured, settings)

    down = asyncio.run(send_due_deliveries(configured, now=NOW))  # nobody listening yet
    assert (down.sent, down.retrying) == (0, 1)
    assert _deliveries(runtime) == [(f"alert:{alert_id}:1:email", "pending", 1)]

    smtp.start()
    later = NOW + timedelta(hours=2)  # past any back-off
    up = asyncio.run(send_due_deliveries(configured, now=later))
    assert up.sent == 1
    assert asyncio.run(send_due_deliveries(configured, now=later + timedelta(hours=1))).sent == 0
    assert _deliveries(runtime) == [(f"alert:{alert_id}:1:email", "sent", 2)]
    assert len(smtp.mailbox.messages) == 1


def test_a_minimum_severity_and_own_recipients_for_emailed_alerts(
    runtime: Runtime, smtp: Smtp
) -> None:
    settings = _settings(runtime, _email(smtp.port, alerts=True,
                                         alert_recipients=["oncall@example.com"],
                                         alert_min_severity="critical"))
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    _store_alert(configured, settings, severity="warning", subject="Calmco")
    critical = _store_alert(configured, settings, severity="critical")
    assert [key for key, _, _ in _deliveries(runtime)] == [f"alert:{critical}:1:email"]
    smtp.start()
    assert asyncio.run(send_due_deliveries(configured, now=NOW)).sent == 1
    _, recipients, _ = smtp.mailbox.messages[0]
    assert recipients == ["oncall@example.com"]


def test_emails_of_alerts_keep_their_order_through_an_outage(
    runtime: Runtime, smtp: Smtp
) -> None:
    settings = _settings(runtime, _email(smtp.port, alerts=True))
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    first = _store_alert(configured, settings, subject="Firstco")
    asyncio.run(send_due_deliveries(configured, now=NOW))  # down: the first waits for a retry
    second = _store_alert(configured, settings, subject="Secondco")
    smtp.start()
    # The second is due now, but the first is still waiting: the second waits behind it.
    assert asyncio.run(send_due_deliveries(configured, now=NOW + timedelta(seconds=1))).sent == 0
    later = NOW + timedelta(hours=2)
    assert asyncio.run(send_due_deliveries(configured, now=later)).sent == 2
    subjects = [m["Subject"] for m in smtp.messages()]
    assert len(subjects) == 2
    assert "Firstco" in subjects[0]
    assert "Secondco" in subjects[1]
    assert [s for _, s, _ in _deliveries(runtime)] == ["sent", "sent"]
    assert {first, second} == {int(k.split(":")[1]) for k, _, _ in _deliveries(runtime)}


def test_alert_emails_queued_before_they_were_switched_off_are_not_sent(
    runtime: Runtime, smtp: Smtp
) -> None:
    settings = _settings(runtime, _email(smtp.port, alerts=True))
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    alert_id = _store_alert(configured, settings)
    switched_off = Runtime(_settings(runtime, _email(smtp.port)), runtime.engine,
                           runtime.sessions)
    smtp.start()
    report = asyncio.run(send_due_deliveries(switched_off, now=NOW))
    assert (report.sent, report.failed) == (0, 1)
    assert _deliveries(runtime) == [(f"alert:{alert_id}:1:email", "failed", 1)]
    assert smtp.mailbox.messages == []


def test_alert_emails_and_digests_use_the_configured_smtp_timeout() -> None:
    email = EmailSettings(smtp_host="127.0.0.1", sender="monitor@example.com",
                          recipients=["team@example.com"], timeout="2s")
    assert compute_smtp_params(email).timeout == 2.0
