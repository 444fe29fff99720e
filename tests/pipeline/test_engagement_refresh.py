"""A re-fetch reads new engagement figures for items already stored: they replace the stored
ones (with the time they were read), the mentions sort by the new total, and the priority
follows. A real fetch over loopback, on SQLite and Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.db.models import Document, Mention
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.cycle import run_cycle
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply

NOW = datetime.now(UTC).replace(microsecond=0)
TEXTS = {
    "kettle": "Picked up a Quietco kettle at the weekend. Does the job.",
    "toaster": "Quietco released a new colour for the toaster.",
    "quiet": "A quiet evening, nothing to report.",
}


def _feed(comments: dict[str, int | None], age: timedelta = timedelta(hours=2)) -> bytes:
    items = "".join(
        f"""<item><title>{key}</title><link>/post/{key}</link><guid>{key}</guid>
        <pubDate>{format_datetime(NOW - age, usegmt=True)}</pubDate>
        <description>{TEXTS[key]}</description>
        {"" if count is None else f"<slash:comments>{count}</slash:comments>"}</item>"""
        for key, count in comments.items())
    return f"""<?xml version="1.0"?><rss version="2.0"
      xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>Blog</title>
      {items}</channel></rss>""".encode()


@pytest.fixture
def blog() -> Iterator[FixtureServer]:
    server = FixtureServer({}).start()
    yield server
    server.stop()


def _configured(runtime: Runtime, blog: FixtureServer) -> Runtime:
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True, "fetch_threads": False},
        brands=[{"name": "Quietco", "query": "Quietco"}],
        sources=[{"name": "Blog", "url": blog.url("/feed/"), "kind": "rss"}],
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    return configured


def _crawl(runtime: Runtime, blog: FixtureServer, comments: dict[str, int | None]) -> None:
    blog.routes["/feed/"] = Reply(200, _feed(comments), {"Content-Type": "application/rss+xml"})
    asyncio.run(run_cycle(runtime, include_all=True))


def _stored(runtime: Runtime) -> dict[str, Document]:
    with runtime.sessions() as session:
        return {doc.title: doc for doc in session.scalars(select(Document))}


def _mention_engagement(runtime: Runtime) -> dict[str, int]:
    with runtime.sessions() as session:
        rows = session.execute(select(Document.title, Mention.engagement).join(
            Document, Mention.document_id == Document.id))
        return {title: engagement for title, engagement in rows}


def test_a_refetch_stores_new_engagement_and_rescores_priority(
    runtime: Runtime, blog: FixtureServer
) -> None:
    configured = _configured(runtime, blog)
    _crawl(configured, blog, {"kettle": 1, "toaster": 2, "quiet": 3})
    first = _stored(runtime)
    assert first["kettle"].engagement == {"comments": 1}
    assert first["kettle"].engagement_read_at is None
    assert _mention_engagement(runtime) == {"kettle": 1, "toaster": 2}

    _crawl(configured, blog, {"kettle": 400, "toaster": 2, "quiet": 9})
    second = _stored(runtime)
    assert second["kettle"].engagement == {"comments": 400}
    assert second["kettle"].engagement_read_at is not None
    assert second["kettle"].engagement_read_at > first["kettle"].discovered_at
    assert second["quiet"].engagement == {"comments": 9}  # naming no brand, still current
    assert second["toaster"].engagement_read_at is None  # unchanged: not written
    assert _mention_engagement(runtime) == {"kettle": 400, "toaster": 2}
    kettle = second["kettle"]
    assert kettle.priority > first["kettle"].priority
    assert "high engagement" in kettle.priority_reasons
    assert "engagement rising" in kettle.priority_reasons
    assert second["toaster"].priority == first["toaster"].priority


def test_a_reading_without_figures_keeps_the_stored_ones(
    runtime: Runtime, blog: FixtureServer
) -> None:
    configured = _configured(runtime, blog)
    _crawl(configured, blog, {"kettle": 150, "toaster": 2})
    before = _stored(runtime)
    _crawl(configured, blog, {"kettle": None, "toaster": None})
    after = _stored(runtime)
    assert after["kettle"].engagement == {"comments": 150}
    assert after["kettle"].engagement_read_at is None
    assert after["kettle"].priority == before["kettle"].priority
    assert _mention_engagement(runtime) == {"kettle": 150, "toaster": 2}
