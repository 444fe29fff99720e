"""Items are scored as the collector stores them: a real fetch over loopback, then the store."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from monitor.config import Settings
from monitor.db.models import Document, Mention
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.cycle import run_cycle
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply
from tests.pipeline.test_first_crawl import _feed, forum  # noqa: F401  (fixture)


def test_a_fetch_stores_each_item_with_its_priority(
    runtime: Runtime, forum: FixtureServer  # noqa: F811
) -> None:
    forum.routes["/comments/feed/"] = Reply(200, _feed(3), {"Content-Type": "application/rss+xml"})
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True},
        brands=[{"name": "Quietco", "query": "Quietco"}],
        sources=[{"name": "Forum", "url": forum.url("/comments/feed/"), "kind": "rss"}],
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    assert asyncio.run(run_cycle(configured)).collected.new_mentions == 15
    with runtime.sessions() as session:
        stored = {text.split(" (#")[0]: (priority, reasons) for text, priority, reasons in
                  session.execute(select(Document.text, Document.priority,
                                         Document.priority_reasons))}
        assert stored["Anyone know if Quietco ships to Norway?"] == (40, ["needs reply"])
        assert stored["Quietco released a new colour for the toaster."] == (0, [])
        angry = stored["Quietco double-charged me and support never replied. Terrible."]
        assert angry[1][:2] == ["needs reply", "very negative"]
        copies = set(session.execute(select(Mention.priority, Document.priority).join(
            Document, Mention.document_id == Document.id)))
        assert all(m == d for m, d in copies)
        page = MentionRepository(session).list_page(MentionFilter(), limit=3, cursor=None,
                                                    sort="priority")
        assert all("very negative" in row.priority_reasons for row in page.rows)
