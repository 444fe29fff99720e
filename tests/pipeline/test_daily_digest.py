"""The daily digest: yesterday in the configured time zone, every alert of the day (brand-less
ones too), unscored mentions by language; sent once a day, only when opted in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models_alerts import Alert, Delivery
from monitor.notify.days import compute_day_bounds, compute_previous_day, parse_day
from monitor.pipeline.digest import build_daily_digest, send_daily_digest
from monitor.runtime import Runtime
from monitor.scheduler import _daily_digest, build_scheduler
from tests.desk_seed import Doc, seed, seed_alert
from tests.notify.test_email import Mailbox, free_port

BERLIN = "Europe/Berlin"
DAY = date(2026, 11, 19)  # in Berlin: 18 Nov 23:00 UTC to 19 Nov 23:00 UTC


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+00:00")


@pytest.fixture
def smtp_port() -> Iterator[tuple[int, Mailbox]]:
    port, box = free_port(), Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


def _runtime(runtime: Runtime, port: int | None = None, **digest: Any) -> Runtime:
    notifications: dict[str, Any] = {"timezone": BERLIN, "digest": digest}
    if port is not None:
        notifications["email"] = {"smtp_host": "127.0.0.1", "smtp_port": port,
                                  "starttls": False, "sender": "monitor@example.com",
                                  "recipients": ["cm@example.com"]}
    settings = Settings(database=runtime.settings.database.model_dump(),
                        notifications=notifications)
    return Runtime(settings, runtime.engine, runtime.sessions)


def _alert(runtime: Runtime, title: str, brand: str | None, at: datetime) -> int:
    alert_id = seed_alert(runtime, title=title, brand=brand, created_at=at)
    if brand is None:
        with unit_of_work(runtime.sessions) as session:
            session.execute(update(Alert).where(Alert.id == alert_id).values(
                kind="rule_match", subject="Legal", summary=title))
    return alert_id


def _seed_two_days(runtime: Runtime) -> None:
    seed(runtime, [
        Doc("day-before", _utc(18, 10)),
        Doc("just-after-local-midnight", _utc(18, 23, 30), brands={"Acme": "negative"}),
        Doc("midday", _utc(19, 12)),
        Doc("spanish", _utc(19, 13), brands={"Acme": "unscored"}, language="es",
            text="Acme no contesta."),
        Doc("next-local-day", _utc(19, 23, 30)),
    ])
    _alert(runtime, "Acme spike", "Acme", _utc(19, 10))
    _alert(runtime, "Legal: recall mentioned", None, _utc(19, 15))
    _alert(runtime, "Yesterday's spike", "Acme", _utc(18, 10))
    _alert(runtime, "Tomorrow's rule", None, _utc(19, 23, 30))


def test_the_day_bounds_are_local_midnights_and_yesterday_is_local() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(BERLIN)
    assert compute_day_bounds(DAY, zone) == (_utc(18, 23), _utc(19, 23))
    # 29 March 2026: clocks go forward in Berlin, a day of 23 hours.
    start, end = compute_day_bounds(date(2026, 3, 29), zone)
    assert end - start == timedelta(hours=23)
    assert compute_previous_day(_utc(19, 23, 30), zone) == DAY  # already the 20th in Berlin
    assert compute_previous_day(_utc(19, 22, 30), zone) == date(2026, 11, 18)
    with pytest.raises(ValueError, match="2026-12-04"):
        parse_day("yesterday")


def test_the_daily_digest_covers_its_local_day_with_every_alert_and_unscored_mentions(
    runtime: Runtime,
) -> None:
    runtime = _runtime(runtime)
    _seed_two_days(runtime)
    digest = build_daily_digest(runtime, DAY, _utc(20, 7))
    assert digest.subject == "Daily brand digest Thu 19 Nov 2026: 3 mentions, 2 alerts"
    text = digest.text
    assert "Mentions: 3 (+200% vs 1 the day before)" in text
    assert "1 (es 1) unscored" in text
    acme, other = text.split("Other alerts this day")
    assert "Acme spike" in acme
    assert "Legal: recall mentioned" in other
    assert "(Legal)" in other
    assert "Yesterday's spike" not in text
    assert "Tomorrow's rule" not in text
    assert "Thu 19 Nov 00:00 – Fri 20 Nov 00:00 (Europe/Berlin)" in text
    assert "Mentions per day" not in text  # a single day is not charted
    assert "Daily brand digest Thu 19 Nov 2026" in digest.html
    assert "Other alerts this day (1)" in digest.html


def test_the_daily_digest_is_sent_once_per_day(
    runtime: Runtime, smtp_port: tuple[int, Mailbox]
) -> None:
    port, mailbox = smtp_port
    runtime = _runtime(runtime, port, daily=True)
    _seed_two_days(runtime)
    first = asyncio.run(send_daily_digest(runtime, DAY, _utc(20, 7)))
    again = asyncio.run(send_daily_digest(runtime, DAY, _utc(20, 9)))
    assert (first.status, again.status) == ("sent", "already_sent")
    assert len(mailbox.messages) == 1
    message = message_from_bytes(mailbox.messages[0][2], policy=policy.default)
    assert message["Subject"].startswith("Daily brand digest Thu 19 Nov 2026")
    with runtime.sessions() as session:
        keys = list(session.scalars(select(Delivery.key)))
    assert keys == ["digest:day:2026-11-19:email"]
    # The next day is a digest of its own.
    assert asyncio.run(send_daily_digest(runtime, date(2026, 11, 20), _utc(21, 7))).status == (
        "sent")
    assert len(mailbox.messages) == 2


def test_the_scheduled_daily_digest_goes_out_once_for_yesterday(
    runtime: Runtime, smtp_port: tuple[int, Mailbox]
) -> None:
    port, mailbox = smtp_port
    runtime = _runtime(runtime, port, daily=True)
    asyncio.run(_daily_digest(runtime))
    asyncio.run(_daily_digest(runtime))  # fired twice (two workers, or a restart)
    assert len(mailbox.messages) == 1
    with runtime.sessions() as session:
        keys = list(session.scalars(select(Delivery.key)))
    from zoneinfo import ZoneInfo

    yesterday = compute_previous_day(datetime.now(ZoneInfo(BERLIN)), ZoneInfo(BERLIN))
    assert keys == [f"digest:day:{yesterday.isoformat()}:email"]


def _jobs(runtime: Runtime) -> dict[str, Any]:
    return {job.id: job for job in build_scheduler(runtime).get_jobs()}


def test_the_daily_digest_is_scheduled_only_when_opted_in(runtime: Runtime) -> None:
    port = free_port()
    plain = _jobs(_runtime(runtime, port))
    assert "daily_digest" not in plain
    assert "digest" in plain  # the weekly digest, configured as before
    daily = _jobs(_runtime(runtime, port, daily=True, at="07:30"))
    trigger = daily["daily_digest"].trigger
    assert isinstance(trigger, CronTrigger)
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("7", "30", "*")
    assert str(trigger.timezone) == BERLIN
    assert "digest" in daily
