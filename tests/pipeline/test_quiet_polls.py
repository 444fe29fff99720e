"""Polls of comment threads that bring nothing new are recorded together: no savepoint each,
their validators and next checks kept exactly as a poll stored on its own keeps them.
Cycles over a blog on loopback whose posts advertise empty comment feeds, on SQLite and
Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy import event, select, update

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import ThreadWatch
from monitor.domain.schedule import THREAD_MIN_INTERVAL
from monitor.pipeline.collect import CycleReport, run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import Runtime
from tests.collectors.conftest import FixtureServer, Reply

POSTS = 6


def _feed(base: str) -> bytes:
    published = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    items = "".join(
        f"<item><title>Post {n}</title><link>{base}/post/{n}/</link>"
        f"<guid>{base}/?p={n}</guid><pubDate>{published}</pubDate>"
        f"<description>Post {n} says Acme makes fine rockets.</description>"
        f"<wfw:commentRss>{base}/post/{n}/feed/</wfw:commentRss></item>"
        for n in range(POSTS))
    return (f'<?xml version="1.0"?><rss version="2.0" '
            f'xmlns:wfw="http://wellformedweb.org/CommentAPI/"><channel><title>Blog</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


def _comment_feed(n: int) -> Reply:
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Comments on: Post {n}'
            f"</title><link>http://blog/post/{n}/</link></channel></rss>").encode()
    return Reply(200, body, {"Content-Type": "application/rss+xml"}, etag=f'"c{n}"',
                 last_modified="Mon, 06 May 2024 10:00:00 GMT")


@pytest.fixture
def blog() -> Iterator[FixtureServer]:
    server = FixtureServer({f"/post/{n}/feed/": _comment_feed(n) for n in range(POSTS)})
    server.routes["/feed/"] = Reply(200, _feed(server.base_url),
                                    {"Content-Type": "application/rss+xml"})
    with server:
        yield server


def _configured(runtime: Runtime, blog: FixtureServer) -> Runtime:
    settings = Settings(database=runtime.settings.database.model_dump(),
                        collector={"allow_private_networks": True},
                        brands=[{"name": "Acme", "query": "Acme"}],
                        sources=[{"name": "Blog", "url": blog.url("/feed/")}])
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    return configured


def _cycle_counting_savepoints(runtime: Runtime) -> tuple[CycleReport, int]:
    savepoints: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SAVEPOINT"):
            savepoints.append(statement)
    event.listen(runtime.engine, "before_cursor_execute", seen)
    try:
        report = asyncio.run(run_collect_cycle(runtime, include_all=True))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", seen)
    return report, len(savepoints)


def _watches(runtime: Runtime) -> list[ThreadWatch]:
    with runtime.sessions() as session:
        return list(session.scalars(select(ThreadWatch).order_by(ThreadWatch.url)))


def test_quiet_polls_are_stored_without_a_savepoint_each(runtime: Runtime,
                                                        blog: FixtureServer) -> None:
    runtime = _configured(runtime, blog)
    before = datetime.now(UTC)
    report, savepoints = _cycle_counting_savepoints(runtime)
    assert [o.status for o in report.sources] == ["ok"]
    assert [o.status for o in report.threads] == ["ok"] * POSTS
    assert savepoints == 1  # the source's; none for the six empty comment feeds

    watches = _watches(runtime)
    assert [w.etag for w in watches] == [f'"c{n}"' for n in range(POSTS)]
    for watch in watches:
        assert watch.last_modified == "Mon, 06 May 2024 10:00:00 GMT"
        assert watch.claimed_by is None
        assert watch.last_fetched_at is not None
        assert watch.follow_until is not None  # the post names the brand: followed
        # next check: as a poll recorded alone decides it, quiet since the thread was found
        assert watch.next_check_at is not None
        assert watch.next_check_at >= before + THREAD_MIN_INTERVAL
        assert watch.next_check_at <= watch.follow_until
        assert watch.last_activity_at is None


def test_the_next_polls_ask_with_the_recorded_validators(runtime: Runtime,
                                                         blog: FixtureServer) -> None:
    runtime = _configured(runtime, blog)
    asyncio.run(run_collect_cycle(runtime, include_all=True))
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(ThreadWatch).values(
            next_check_at=datetime.now(UTC) - timedelta(minutes=1)))
    blog.clear_log()

    report, savepoints = _cycle_counting_savepoints(runtime)
    assert [o.status for o in report.threads] == ["not_modified"] * POSTS
    assert savepoints == 1  # the source's again
    for n in range(POSTS):
        (request,) = blog.requests_for(f"/post/{n}/feed/")
        assert request.headers["if-none-match"] == f'"c{n}"'
