"""A whole cycle with alerts: a burst on a quiet brand alerts once and reaches Slack despite a
429; steady brands stay quiet; deliveries survive a crash; the digest is sent once."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand, Document, Source
from monitor.db.models_alerts import Alert, Delivery
from monitor.db.repositories import DocumentRepository, MentionRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.notify.weeks import compute_week_label
from monitor.pipeline.alerting import evaluate_alerts
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.deliver import send_due_deliveries
from monitor.pipeline.digest import send_digest
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply
from tests.notify.conftest import Receiver, receiver
from tests.notify.test_email import Mailbox, free_port

__all__ = ["receiver"]  # the loopback Slack/webhook receiver fixture

NOW = datetime.now(UTC).replace(microsecond=0)


def _settings(runtime: Runtime, sources: list[dict[str, Any]], **notifications: Any) -> Settings:
    return Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True},
        brands=[{"name": "Quietco", "query": "Quietco"}, {"name": "Steady", "query": "Steady"}],
        sources=sources, notifications=notifications,
        alerts={"rules": [{"name": "Legal", "query": "lawsuit OR recall",
                           "severity": "critical"}]},
    )


def _configure(runtime: Runtime, settings: Settings) -> Runtime:
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    with unit_of_work(configured.sessions) as session:
        for brand in session.scalars(select(Brand)):
            brand.created_at = NOW - timedelta(days=20)  # monitored for weeks already
    return configured


def _seed_history(runtime: Runtime) -> None:
    """Three weeks: Quietco gets a mention every other day, Steady five a day, all neutral."""
    with unit_of_work(runtime.sessions) as session:
        source = session.scalars(select(Source)).first()
        assert source is not None
        brands = {b.name: b.id for b in session.scalars(select(Brand))}
        docs, mentions = [], []
        for hour in range(6, 21 * 24, 5):
            at = NOW - timedelta(hours=hour)
            names = ["Steady"] + (["Quietco"] if hour % 48 < 5 else [])
            for name in names:
                key = f"history-{name}-{hour}"
                docs.append(_doc(source.id, key, f"{name} makes things. Nothing new.", at))
                mentions.append((key, brands[name], at))
        ids = DocumentRepository(session).insert_new(docs)
        MentionRepository(session).insert_many([
            {"document_id": ids[key], "brand_id": brand_id, "sort_at": at, "spans": [],
             "snippet": "", "sentiment_score": 0.0, "sentiment_label": "neutral",
             "sentiment_confidence": 0.5, "sentiment_override": None, "topics": [],
             "state": "seen", "created_at": at, "backfill": False}
            for key, brand_id, at in mentions
        ])


def _doc(source_id: int, key: str, text: str, at: datetime) -> dict[str, Any]:
    return {"source_id": source_id, "key": key, "url": f"https://old.example/{key}",
            "kind": "comment", "author": "someone", "published_at": at, "discovered_at": at,
            "title": "", "text": text, "thread_url": "https://old.example/t",
            "thread_title": "Old thread", "parent_key": None, "language": "en",
            "engagement": {}, "content_hash": key.ljust(64, "0")[:64],
            "sentiment_score": 0.0, "duplicate_of_id": None}


ANGRY = [
    "Quietco double-charged me and support never replied. Terrible.",
    "Quietco is a rip-off, I was on hold for hours and nobody helped.",
    "Awful experience with Quietco, my order is broken and the refund was denied.",
    "Quietco support is useless, still waiting for my refund after weeks.",
    "Never buying from Quietco again, the worst customer service I have seen.",
]


def _burst_feed(base: str, count: int) -> bytes:
    items = "".join(
        f"""<item><title>By: angry{i}</title><link>{base}/post/#comment-{i}</link>
        <dc:creator>angry{i}</dc:creator><guid isPermaLink="false">burst-{i}</guid>
        <pubDate>{format_datetime(NOW - timedelta(minutes=3 * i), usegmt=True)}</pubDate>
        <description>{ANGRY[i % len(ANGRY)]} (#{i})</description></item>"""
        for i in range(count))
    return f"""<?xml version="1.0"?><rss version="2.0"
      xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments</title>
      {items}</channel></rss>""".encode()


@pytest.fixture
def forum() -> Iterator[FixtureServer]:
    server = FixtureServer({"/comments/feed/": Reply(200, _burst_feed("", 0),
                                                     {"Content-Type": "application/rss+xml"})})
    server.start()
    yield server
    server.stop()


def test_a_burst_on_a_quiet_brand_alerts_once_and_reaches_slack(
    runtime: Runtime, forum: FixtureServer, receiver: Receiver
) -> None:
    settings = _settings(runtime, [{"name": "Forum", "url": forum.url("/comments/feed/"),
                                    "kind": "rss"}], slack={"webhook_url": receiver.url})
    runtime = _configure(runtime, settings)
    asyncio.run(run_cycle(runtime))  # the source's first crawl: nothing to see yet
    _seed_history(runtime)
    assert evaluate_alerts(runtime, NOW).opened == 0  # steady brands and the quiet one: calm

    forum.routes["/comments/feed/"] = Reply(200, _burst_feed(forum.base_url, 25),
                                            {"Content-Type": "application/rss+xml"})
    receiver.respond(429, "rate limited", Retry_After="1")
    report = asyncio.run(run_cycle(runtime, include_all=True))
    assert report.collected.new_mentions == 25

    with runtime.sessions() as session:
        alerts = list(session.scalars(select(Alert)))
    assert [(a.subject, a.kind) for a in alerts if a.kind == "volume_spike"] == [
        ("Quietco", "volume_spike")]
    assert all(a.subject == "Quietco" for a in alerts)
    spike = next(a for a in alerts if a.kind == "volume_spike")
    explanation = spike.explanation
    assert explanation["sentiment"]["negative"] >= 10 > explanation["sentiment"]["positive"]
    assert 1 <= len(explanation["samples"]) <= 5
    assert spike.mention_count >= 10

    # The first attempt met a 429; the retry waits for Retry-After and then goes through.
    deliveries_after = asyncio.run(_drain(runtime))
    slack_posts = [r for r in receiver.requests if r.path.endswith("SECRETPATH")]
    assert len(slack_posts) == 2  # the 429, then the one that arrived
    assert b"Quietco" in slack_posts[-1].body
    assert deliveries_after == {"sent"}

    # Another cycle with nothing new: the episode is not alerted again.
    again = asyncio.run(run_cycle(runtime, include_all=True))
    assert again.alerts.opened == 0
    assert len(receiver.requests) == 2


async def _drain(runtime: Runtime) -> set[str]:
    """Run deliveries until none is pending, moving the clock past each retry time."""
    for _ in range(10):
        with runtime.sessions() as session:
            pending = list(session.scalars(select(Delivery).where(Delivery.status == "pending")))
        if not pending:
            break
        due = max(d.next_attempt_at for d in pending)
        await send_due_deliveries(runtime, now=max(due, datetime.now(UTC)))
    with runtime.sessions() as session:
        return {d.status for d in session.scalars(select(Delivery))}


def test_a_rule_match_is_one_critical_alert_per_episode(
    runtime: Runtime, forum: FixtureServer
) -> None:
    runtime = _configure(runtime, _settings(
        runtime, [{"name": "Forum", "url": forum.url("/comments/feed/"), "kind": "rss"}]))
    asyncio.run(run_cycle(runtime))
    lawsuit = _burst_feed(forum.base_url, 3).replace(
        b"Terrible.", b"Terrible. I am filing a lawsuit.")
    forum.routes["/comments/feed/"] = Reply(200, lawsuit, {"Content-Type": "application/rss+xml"})
    first = asyncio.run(run_cycle(runtime, include_all=True))
    second = asyncio.run(run_cycle(runtime, include_all=True))
    with runtime.sessions() as session:
        rules = list(session.scalars(select(Alert).where(Alert.kind == "rule_match")))
    assert len(rules) == 1
    assert rules[0].severity == "critical"
    assert rules[0].subject == "Legal"
    assert first.alerts.opened >= 1
    assert second.alerts.opened == 0
    with runtime.sessions() as session:  # the alert leads to exactly the mentions it matched
        behind = MentionRepository(session).list_page(
            MentionFilter(alert=rules[0].id), limit=50, cursor=None).rows
        texts = [session.get_one(Document, row.document_id).text for row in behind]
    assert behind
    assert all("lawsuit" in text for text in texts)


class _Crash(BaseException):
    """Stands for the process dying between sending and recording."""


def test_a_crash_between_send_and_record_resends_with_the_same_key(
    runtime: Runtime, receiver: Receiver
) -> None:
    settings = _settings(runtime, [], webhook={"url": receiver.url, "secret": "s3cret"})
    runtime = _configure(runtime, settings)
    with unit_of_work(runtime.sessions) as session:
        alert = Alert(subject="Quietco", kind="volume_spike", severity="critical", state="open",
                      title="Quietco: volume spike", summary="25 mentions in an hour",
                      window_start=NOW - timedelta(hours=1), window_end=NOW, mention_count=25,
                      explanation=_explanation(), notifications=0, created_at=NOW,
                      last_seen_at=NOW)
        session.add(alert)
        session.flush()
        from monitor.db.repositories.alerts import AlertRepository
        from monitor.pipeline.alerting import queue_notifications

        assert queue_notifications(AlertRepository(session), alert, settings, NOW) == 1
        assert AlertRepository(session).enqueue([{
            "key": f"alert:{alert.id}:1:webhook", "alert_id": alert.id, "channel": "webhook",
            "next_attempt_at": NOW, "created_at": NOW}]) == 0  # queued once, whatever happens

    def crash(_delivery: Delivery) -> None:
        raise _Crash

    with pytest.raises(_Crash):
        asyncio.run(send_due_deliveries(runtime, now=NOW, after_send=crash))
    assert len(receiver.requests) == 1
    # Not recorded: the claim expires and the message goes again, under the same key.
    assert asyncio.run(send_due_deliveries(runtime, now=NOW)).sent == 0  # still claimed
    later = NOW + runtime.settings.workers.lease + timedelta(minutes=1)
    report = asyncio.run(send_due_deliveries(runtime, now=later))
    assert report.sent == 1
    keys = [r.headers["X-Brand-Monitor-Delivery"] for r in receiver.requests]
    assert len(keys) == 2
    assert len(set(keys)) == 1  # a receiver keeping keys sees the message once
    assert asyncio.run(send_due_deliveries(runtime, now=NOW + timedelta(hours=2))).sent == 0


def _explanation() -> dict[str, Any]:
    from monitor.domain.alerts import (
        Detection,
        Figures,
        compute_explanation,
        compute_explanation_record,
    )

    figures = Figures("mentions", 25, 1.0, NOW - timedelta(hours=1), NOW, "trailing_days",
                      0.0001, 25)
    detection = Detection("volume_spike", "critical", NOW, "25 mentions in an hour", figures, 1)
    return compute_explanation_record(compute_explanation(detection, []))


def test_the_weekly_digest_arrives_once_even_when_smtp_is_down_at_first(
    runtime: Runtime,
) -> None:
    port = free_port()
    settings = _settings(runtime, [], email={
        "smtp_host": "127.0.0.1", "smtp_port": port, "starttls": False,
        "sender": "monitor@example.com", "recipients": ["cm@example.com"]})
    runtime = _configure(runtime, _settings(runtime, [{"name": "Old", "url": "https://old.example/f"}],
                                            **settings.notifications.model_dump()))
    _seed_history(runtime)
    week = compute_week_label(NOW, UTC)

    first = asyncio.run(send_digest(runtime, week, NOW))  # nobody listening on the port yet
    assert first.status == "retry"

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = NOW + timedelta(hours=1)
        asyncio.run(send_due_deliveries(runtime, now=later))
        again = asyncio.run(send_digest(runtime, week, later))
    finally:
        controller.stop()
    assert again.status == "already_sent"
    assert len(mailbox.messages) == 1
    message = email.message_from_bytes(mailbox.messages[0][2])
    assert message.is_multipart()
    assert [p.get_content_type() for p in message.walk()][1:] == ["text/plain", "text/html"]
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "Quietco" in text
    assert "Steady" in text
