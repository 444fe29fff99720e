"""A crisis already running when monitoring starts: the first crawl finds a brand's quiet
published history and a burst of the last two hours; the burst alerts in that first cycle."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.db.models import Document, Mention
from monitor.db.models_alerts import Alert
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.cycle import run_cycle
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply

NOW = datetime.now(UTC).replace(microsecond=0)
CALM = [
    "Picked up a Quietco kettle at the weekend. Does the job.",
    "Quietco released a new colour for the toaster.",
    "Anyone know if Quietco ships to Norway?",
]
ANGRY = [
    "Quietco double-charged me and support never replied. Terrible.",
    "Quietco is a rip-off, I was on hold for hours and nobody helped.",
    "Awful experience with Quietco, my order is broken and the refund was denied.",
    "Quietco support is useless, still waiting for my refund after weeks.",
    "Never buying from Quietco again, the worst customer service I have seen.",
]


def _item(key: str, text: str, at: datetime) -> str:
    return f"""<item><title>By: {key}</title><link>/post/#comment-{key}</link>
        <dc:creator>{key}</dc:creator><guid isPermaLink="false">{key}</guid>
        <pubDate>{format_datetime(at, usegmt=True)}</pubDate>
        <description>{text}</description></item>"""


def _feed(burst: int, burst_age: timedelta = timedelta(0)) -> bytes:
    # A dozen calm comments over two weeks, then ``burst`` angry ones over the two hours before
    # ``burst_age`` ago.
    history = [_item(f"calm-{i}", f"{CALM[i % len(CALM)]} (#{i})",
                     NOW - timedelta(days=14) + timedelta(hours=27 * i)) for i in range(12)]
    angry = [_item(f"angry-{i}", f"{ANGRY[i % len(ANGRY)]} (#{i})",
                   NOW - burst_age - timedelta(minutes=4 * i + 1)) for i in range(burst)]
    return f"""<?xml version="1.0"?><rss version="2.0"
      xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Comments</title>
      {"".join(angry + history)}</channel></rss>""".encode()


@pytest.fixture
def forum() -> Iterator[FixtureServer]:
    server = FixtureServer({}).start()
    yield server
    server.stop()


def _first_cycle(runtime: Runtime, forum: FixtureServer, burst: int,
                 burst_age: timedelta = timedelta(0), **alerts: Any) -> list[Alert]:
    forum.routes["/comments/feed/"] = Reply(200, _feed(burst, burst_age),
                                            {"Content-Type": "application/rss+xml"})
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True},
        brands=[{"name": "Quietco", "query": "Quietco"}],
        sources=[{"name": "Forum", "url": forum.url("/comments/feed/"), "kind": "rss"}],
        alerts=alerts,
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)  # the brand and its source are added now: no history of our own
    report = asyncio.run(run_cycle(configured))
    assert report.collected.new_mentions == 12 + burst
    with runtime.sessions() as session:
        return list(session.scalars(select(Alert)))


def test_a_crisis_running_at_the_first_crawl_alerts_once_in_that_cycle(
    runtime: Runtime, forum: FixtureServer
) -> None:
    alerts = _first_cycle(runtime, forum, burst=25)
    assert [(a.subject, a.kind) for a in alerts] == [("Quietco", "volume_spike")]
    assert alerts[0].explanation["sentiment"]["negative"] >= 10
    with runtime.sessions() as session:
        backfill = dict(session.execute(select(Mention.backfill, Mention.id)).all())
    # the calm history stays baseline; the burst is news
    assert set(backfill) == {True, False}


def test_the_same_history_without_a_burst_raises_nothing(
    runtime: Runtime, forum: FixtureServer
) -> None:
    assert _first_cycle(runtime, forum, burst=0) == []


def _burst_is_news(runtime: Runtime) -> set[bool]:
    with runtime.sessions() as session:
        return {not backfill for text, backfill in session.execute(
            select(Document.text, Mention.backfill).join(Document,
                                                         Mention.document_id == Document.id))
                if "#" in text and any(text.startswith(a) for a in ANGRY)}


def test_the_first_crawl_news_window_follows_the_configured_alert_window(
    runtime: Runtime, forum: FixtureServer
) -> None:
    # A burst that started four hours ago (its newest post 4 h old): with a 6 h window it is
    # inside the span the detectors judge (6 h plus the 3 h lag), so it is news and alerts.
    alerts = _first_cycle(runtime, forum, burst=12, burst_age=timedelta(hours=4),
                          window="6h")
    assert [(a.subject, a.kind) for a in alerts] == [("Quietco", "volume_spike")]
    assert _burst_is_news(runtime) == {True}


def test_with_the_default_window_the_same_burst_on_a_first_crawl_is_history(
    runtime: Runtime, forum: FixtureServer
) -> None:
    # The default 1 h window judges the last 4 h (window plus lag): older is history.
    assert _first_cycle(runtime, forum, burst=12, burst_age=timedelta(hours=4)) == []
    assert _burst_is_news(runtime) == {False}
