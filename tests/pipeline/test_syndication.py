"""Syndicated copies link to the copy published first, whichever was crawled first; a late
original takes over its group and triage stays with each document (SQLite and Postgres)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Document, Mention
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.pipeline.collect import run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply

ARTICLE = (
    "Acme announced on Monday that its new espresso grinder will ship in March. The company "
    "said the grinder uses conical burrs made in its own factory, and that early reviewers "
    "praised how quietly it runs. Prices start at two hundred euros, with a premium model "
    "planned for the summer. Retailers in three countries have already opened pre-orders."
)
BLOGS = {  # name: (publication date, lead paragraph)
    "Original": ("Mon, 18 Nov 2013 09:00:00 +0000", ""),
    "Repost": ("Wed, 02 Dec 2026 09:00:00 +0000", "Reposted from Coffee News."),
    "Mirror": ("Thu, 03 Dec 2026 09:00:00 +0000", "Found on another blog."),
}


def _feed(name: str) -> bytes:
    published, lead = BLOGS[name]
    body = f"<p>{lead}</p><p>{ARTICLE}</p>" if lead else f"<p>{ARTICLE}</p>"
    return f"""<?xml version="1.0"?><rss version="2.0"
      xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{name}</title>
      <item><title>Acme grinder ships in March</title><link>/grinder</link>
      <guid isPermaLink="false">{name}-grinder</guid><pubDate>{published}</pubDate>
      <content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>""".encode()


@pytest.fixture
def blogs() -> Iterator[dict[str, FixtureServer]]:
    servers = {name: FixtureServer({"/feed": Reply(200, _feed(name), {
        "Content-Type": "application/rss+xml"})}).start() for name in BLOGS}
    yield servers
    for server in servers.values():
        server.stop()


def _crawl(runtime: Runtime, blogs: dict[str, FixtureServer], names: list[str]) -> Runtime:
    """Add the named blogs as sources (all of them so far) and run one cycle."""
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True},
        brands=[{"name": "Acme", "query": "Acme"}],
        sources=[{"name": n, "url": blogs[n].url("/feed")} for n in names],
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    report = asyncio.run(run_collect_cycle(configured, include_all=True))
    assert report.failed == []
    return configured


def _links(runtime: Runtime) -> dict[str, str | None]:
    with runtime.sessions() as session:
        docs = list(session.scalars(select(Document)))
    names = {d.id: d.key.removesuffix("-grinder") for d in docs}
    return {names[d.id]: names.get(d.duplicate_of_id or 0) for d in docs}


def _shown(runtime: Runtime) -> list[str]:
    """The documents the default listing shows (duplicates hidden)."""
    with runtime.sessions() as session:
        ids = MentionRepository(session).ids_matching(MentionFilter(brand="Acme"), limit=10)
        keys = session.scalars(select(Document.key).join(Mention).where(Mention.id.in_(ids)))
        return sorted(k.removesuffix("-grinder") for k in keys)


def test_the_original_crawled_first_stays_the_original(
    runtime: Runtime, blogs: dict[str, FixtureServer]
) -> None:
    runtime = _crawl(runtime, blogs, ["Original"])
    runtime = _crawl(runtime, blogs, ["Original", "Repost"])
    assert _links(runtime) == {"Original": None, "Repost": "Original"}
    assert _shown(runtime) == ["Original"]


def test_an_original_crawled_after_its_copies_takes_over_the_group(
    runtime: Runtime, blogs: dict[str, FixtureServer]
) -> None:
    runtime = _crawl(runtime, blogs, ["Repost"])
    runtime = _crawl(runtime, blogs, ["Repost", "Mirror"])
    assert _links(runtime) == {"Repost": None, "Mirror": "Repost"}
    with unit_of_work(runtime.sessions) as session:
        repost = session.scalars(select(Document).where(
            Document.key == "Repost-grinder")).one()
        repost.state = "replied"  # triage belongs to the item

    runtime = _crawl(runtime, blogs, ["Repost", "Mirror", "Original"])
    assert _links(runtime) == {"Original": None, "Repost": "Original", "Mirror": "Original"}
    assert _shown(runtime) == ["Original"]
    with runtime.sessions() as session:
        states = dict(session.execute(select(Document.key, Document.state).join(Mention)).all())
    assert states == {"Repost-grinder": "replied", "Original-grinder": "new",
                      "Mirror-grinder": "new"}
