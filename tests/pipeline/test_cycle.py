"""Collection cycles over fixture sites on loopback, stored on SQLite and Postgres."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collectors.document import CollectResult, FetchState
from collectors.document import Document as CollectedDocument
from collectors.fetching import Fetcher
from monitor.config import CollectorSettings, Settings
from monitor.db.models import Document, Mention, Source, ThreadWatch
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.pipeline.analyser import load_analyser, load_recipe
from monitor.pipeline.collect import CycleReport, _Runner, run_collect_cycle
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.jobs import Fetched, SourceJob
from monitor.pipeline.store import PreparedDocuments, StoreReport
from monitor.runtime import Runtime
from tests.collectors.conftest import SITES, FixtureServer, Reply

BRANDS = [{"name": "Acme", "query": "Acme"}, {"name": "Globex", "query": "Globex"}]


@pytest.fixture
def sites() -> Iterator[dict[str, FixtureServer]]:
    servers = {name: FixtureServer(directory=SITES / name).start()
               for name in ("wordpress", "blogger", "htmlblog")}
    yield servers
    for server in servers.values():
        server.stop()


def _configure(runtime: Runtime, sources: list[dict[str, object]],
               brands: list[dict[str, str]] | None = None, **collector: object) -> Runtime:
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True, **collector},
        brands=BRANDS if brands is None else brands, sources=sources,
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    return configured


def _cycle(runtime: Runtime, now: datetime | None = None) -> CycleReport:
    return asyncio.run(run_collect_cycle(runtime, include_all=True, now=now))


def _count(runtime: Runtime, model: type[object]) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _fixture_sources(sites: dict[str, FixtureServer]) -> list[dict[str, object]]:
    return [
        {"name": "WordPress", "url": sites["wordpress"].url("/feed/")},
        {"name": "WordPress comments", "url": sites["wordpress"].url("/comments/feed/")},
        {"name": "Blogger", "url": sites["blogger"].url("/feeds/posts/default")},
        {"name": "HTML blog", "url": sites["htmlblog"].url("/"), "kind": "blog"},
    ]


def test_every_item_is_stored_once_and_a_second_pass_is_conditional(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    runtime = _configure(runtime, _fixture_sources(sites))
    first = _cycle(runtime)
    assert first.failed == [], [o.error for o in first.failed]
    assert first.new_documents == _count(runtime, Document) > 10
    assert first.new_mentions == _count(runtime, Mention) > 0
    with runtime.sessions() as session:
        keys = list(session.scalars(select(Document.key)))
        comments = list(session.scalars(select(Document).where(Document.kind == "comment")))
    assert len(keys) == len(set(keys))
    assert all(c.parent_key and c.author and c.published_at for c in comments)
    # the site-wide comment feed and the per-post feeds hold the same comments: stored once
    wordpress_comments = [c for c in comments if "#comment-" in c.url]
    assert len({c.url for c in wordpress_comments}) == len(wordpress_comments)

    for server in sites.values():
        server.clear_log()
    again = _cycle(runtime)
    assert again.new_documents == 0
    assert again.new_mentions == 0
    feed_requests = sites["wordpress"].requests_for("/feed/")
    assert feed_requests
    assert all("if-none-match" in r.headers for r in feed_requests)
    assert {o.status for o in again.sources} == {"not_modified"}


def test_robots_disallowed_pages_are_never_requested(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    runtime = _configure(runtime, _fixture_sources(sites)[3:])
    _cycle(runtime)
    assert sites["htmlblog"].requests_for("/robots.txt")
    assert not [p for p in sites["htmlblog"].requested_paths() if p.startswith("/private")]


def test_threads_with_mentions_are_followed_and_new_comments_found(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    runtime = _configure(runtime, _fixture_sources(sites)[:1])
    _cycle(runtime)
    with runtime.sessions() as session:
        watches = list(session.scalars(select(ThreadWatch)))
    assert watches
    followed = [w for w in watches if w.follow_until is not None]
    assert followed, "a thread about a brand must be followed"
    assert all(w.follow_until - w.created_at == timedelta(days=14) for w in followed)

    path = "/2024/05/acme-widgets-reviewed/feed/"
    original = (SITES / "wordpress" / path.strip("/") / "index.rss").read_text()
    new_item = """<item><title>By: Zelda</title>
      <link>{{BASE}}/2024/05/acme-widgets-reviewed/#comment-299</link>
      <dc:creator><![CDATA[Zelda]]></dc:creator>
      <pubDate>Thu, 09 May 2024 09:00:00 +0000</pubDate>
      <guid isPermaLink="false">{{BASE}}/?p=102#comment-299</guid>
      <description><![CDATA[Acme replaced my widget within a day, great service.]]></description>
    </item></channel>"""
    base = sites["wordpress"].base_url
    body = original.replace("</channel>", new_item).replace("{{BASE}}", base)
    sites["wordpress"].routes[path] = Reply(200, body.encode(),
                                            {"Content-Type": "application/rss+xml"})
    later = datetime.now(UTC) + timedelta(days=1)
    report = _cycle(runtime, now=later)
    assert report.new_documents == 1
    with runtime.sessions() as session:
        zelda = session.scalar(select(Document).where(Document.author == "Zelda"))
        assert zelda is not None
        assert zelda.kind == "comment"
        assert zelda.url.endswith("#comment-299")


def test_failing_sources_are_recorded_and_the_others_complete(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000 + b"</rss>")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              b"<rss><channel><title>&lol2;</title></channel></rss>")
    hostile = FixtureServer({
        "/malformed": Reply(200, b"\x00\x01<<not xml{", {"Content-Type": "application/rss+xml"}),
        "/laughs": Reply(200, laughs, {"Content-Type": "application/rss+xml"}),
        "/bomb": Reply(200, bomb, {"Content-Type": "application/rss+xml",
                                   "Content-Encoding": "gzip"}),
        "/loop": Reply(302, b"", {"Location": "/loop"}),
        "/drip": Reply(200, b"<rss>" + b" " * 400 + b"</rss>", {"Content-Type": "text/xml"},
                       drip_s=0.05),
        "/huge": Reply(200, b"<rss>" + b"x" * 3_000_000 + b"</rss>", {"Content-Type": "text/xml"}),
        "/down": Reply(500, b"oops"),
    }).start()
    try:
        hostile_sources = [{"name": p, "url": hostile.url(f"/{p}"), "kind": "rss"}
                           for p in ("malformed", "laughs", "bomb", "loop", "drip", "huge", "down")]
        runtime = _configure(runtime, hostile_sources + _fixture_sources(sites)[:1],
                             deadline="3s", max_bytes=1_000_000)
        report = _cycle(runtime)
    finally:
        hostile.stop()
    errors = {o.name: o.error or "" for o in report.failed}
    assert set(errors) == {"malformed", "laughs", "bomb", "loop", "drip", "huge", "down"}
    assert "ResponseTooLarge" in errors["bomb"]
    assert "ResponseTooLarge" in errors["huge"]
    assert "TooManyRedirects" in errors["loop"]
    assert "FetchTimeout" in errors["drip"]
    assert "500" in errors["down"]
    wordpress = next(o for o in report.sources if o.name == "WordPress")
    assert wordpress.status == "ok"
    assert wordpress.new_documents > 0
    with runtime.sessions() as session:
        rows = {s.name: s for s in session.scalars(select(Source))}
    assert rows["drip"].error_count == 1
    assert rows["drip"].last_error
    assert rows["drip"].next_check_at > datetime.now(UTC)
    assert rows["WordPress"].error_count == 0


def test_private_addresses_are_refused_unless_allowed(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    runtime = _configure(runtime, _fixture_sources(sites)[:1], allow_private_networks=False)
    report = _cycle(runtime)
    [failure] = report.failed
    assert "BlockedAddress" in (failure.error or "")
    assert sites["wordpress"].requests == []


ARTICLE = (
    "Acme announced on Monday that its new espresso grinder will ship in March. The company "
    "said the grinder uses conical burrs made in its own factory, and that early reviewers "
    "praised how quietly it runs. Prices start at two hundred euros, with a premium model "
    "planned for the summer. Retailers in three countries have already opened pre-orders."
)


def _blog(title: str, paragraphs: list[str]) -> bytes:
    item = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<?xml version="1.0"?><rss version="2.0"
      xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{title}</title>
      <item><title>Acme grinder ships in March</title><link>/grinder</link>
      <guid isPermaLink="false">{title}-grinder</guid>
      <pubDate>Mon, 18 Nov 2024 09:00:00 +0000</pubDate>
      <content:encoded><![CDATA[{item}]]></content:encoded></item></channel></rss>""".encode()


def test_syndicated_copies_link_to_the_first_and_are_hidden(runtime: Runtime) -> None:
    original = FixtureServer({"/feed": Reply(200, _blog("News", [ARTICLE]),
                                            {"Content-Type": "application/rss+xml"})}).start()
    copy = FixtureServer({"/feed": Reply(200, _blog("Copy", [
        "Reposted from Coffee News.", ARTICLE.replace("Monday", "Monday morning")]),
        {"Content-Type": "application/rss+xml"})}).start()
    try:
        runtime = _configure(runtime, [{"name": "News", "url": original.url("/feed")}])
        _cycle(runtime)
        runtime = _configure(runtime, [{"name": "News", "url": original.url("/feed")},
                                       {"name": "Copy", "url": copy.url("/feed")}])
        _cycle(runtime)
    finally:
        original.stop()
        copy.stop()
    with runtime.sessions() as session:
        docs = {d.key: d for d in session.scalars(select(Document))}
    assert docs["Copy-grinder"].duplicate_of_id == docs["News-grinder"].id
    assert docs["News-grinder"].duplicate_of_id is None
    with runtime.sessions() as session:
        mentions = MentionRepository(session)
        assert mentions.count(MentionFilter(brand="Acme")) == 1
        assert mentions.count(MentionFilter(brand="Acme", include_duplicates=True)) == 2


def test_changing_a_query_rematches_stored_documents(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    sources = _fixture_sources(sites)[:2]
    runtime = _configure(runtime, sources, brands=[{"name": "Acme", "query": "Acme"}])
    _cycle(runtime)

    def mentioned_texts() -> list[str]:
        with runtime.sessions() as session:
            return list(session.scalars(
                select(Document.text).join(Mention, Mention.document_id == Document.id)))

    before = mentioned_texts()
    assert any("widget" in t.lower() for t in before)
    runtime = _configure(runtime, sources, brands=[
        {"name": "Acme", "query": "Acme NOT widget*"}, {"name": "Globex", "query": "Globex"}])
    after = mentioned_texts()
    assert after
    assert not [t for t in after if "widget" in t.lower() and "globex" not in t.lower()]
    assert len([t for t in before if "widget" not in t.lower()]) <= len(after)


def test_rematching_keeps_the_users_triage_and_sentiment_override(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    sources = _fixture_sources(sites)[:2]
    runtime = _configure(runtime, sources, brands=[{"name": "Acme", "query": "Acme"}])
    _cycle(runtime)
    with runtime.sessions() as session:
        kept = session.scalars(select(Mention).order_by(Mention.id)).first()
        assert kept is not None
        kept_id = kept.id
        kept.sentiment_override = "positive"
        item = session.get(Document, kept.document_id)
        assert item is not None
        item.state = "needs_reply"
        session.commit()
    runtime = _configure(runtime, sources, brands=[{"name": "Acme", "query": "Acme OR Globex"}])
    with runtime.sessions() as session:
        again = session.get(Mention, kept_id)
        assert again is not None
        item = session.get(Document, again.document_id)
        assert item is not None
        assert (again.sentiment_override, item.state) == ("positive", "needs_reply")
        # The state was written behind triage's back; re-matching rescores the item.
        assert item.priority_reasons[0] == "needs reply"
        assert again.priority == item.priority >= 40


def test_topics_come_from_the_config_when_given(
    runtime: Runtime, sites: dict[str, FixtureServer]
) -> None:
    settings = Settings(
        database=runtime.settings.database.model_dump(),
        collector={"allow_private_networks": True},
        brands=[{"name": "Acme", "query": "Acme"}],
        sources=_fixture_sources(sites)[:1], topics={"gadgets": "widget*"},
    )
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    _cycle(configured)
    with runtime.sessions() as session:
        topics = {t for m in session.scalars(select(Mention)) for t in m.topics}
    assert topics == {"gadgets"}


def _feed_server(paths: list[str]) -> FixtureServer:
    def feed(path: str) -> Reply:
        item = (f"<item><title>Post {path}</title><link>http://example.com{path}</link>"
                f"<guid>{path}</guid><description>About Acme.</description></item>")
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{path}</title>{item}'
        return Reply(200, (body + "</channel></rss>").encode(),
                     {"Content-Type": "application/rss+xml"})
    return FixtureServer({path: feed(path) for path in paths}).start()


def test_a_cycle_fetches_every_source_however_many_batches_it_takes(runtime: Runtime) -> None:
    paths = [f"/feed/{n}/" for n in range(11)]
    server = _feed_server(paths)
    try:
        loopback = server.base_url.replace("127.0.0.1", "localhost")
        sources: list[dict[str, object]] = [
            {"name": f"Feed {n}", "url": (loopback if n % 3 == 0 else server.base_url) + path}
            for n, path in enumerate(paths)
        ]
        runtime = _configure(runtime, sources, batch_size=3, per_host_batch=2)
        claimed: list[int] = []
        everything = asyncio.run(run_collect_cycle(runtime, include_all=True,
                                                   on_claimed=claimed.append))
        assert sorted(o.name for o in everything.sources) == sorted(s["name"] for s in sources)
        assert {o.status for o in everything.sources} == {"ok"}
        assert all(server.requests_for(path) for path in paths)
        assert claimed[-1] == len(paths)
        assert len(claimed) >= len(paths) // 3

        assert asyncio.run(run_collect_cycle(runtime)).sources == []  # none due yet
        again = asyncio.run(run_collect_cycle(runtime, include_all=True))
        assert len(again.sources) == len(paths)  # --all means all, due or not
        with runtime.sessions() as session:
            session.execute(update(Source).values(next_check_at=datetime.now(UTC)))
            session.commit()
        due = asyncio.run(run_collect_cycle(runtime))
        assert len(due.sources) == len(paths)  # all due: all fetched in one cycle
    finally:
        server.stop()


@dataclass(frozen=True, slots=True)
class _OfflineJob(SourceJob):
    """A source whose fetch needs no network; ``broken`` makes storing its result fail."""

    documents: tuple[CollectedDocument, ...] = ()
    broken: bool = False

    async def fetch(self, fetcher: Fetcher) -> Fetched:
        return self, CollectResult(list(self.documents), FetchState(), 200)

    def save_result(self, session: Session, settings: CollectorSettings,
                    prepared: PreparedDocuments, result: CollectResult,
                    now: datetime) -> StoreReport:
        stored = SourceJob.save_result(self, session, settings, prepared, result, now)
        if self.broken:
            raise RuntimeError("storage refused")
        return stored


def test_results_stored_together_fail_alone(runtime: Runtime) -> None:
    runtime = _configure(runtime, [{"name": f"Feed {n}", "url": f"https://f{n}.example.com/"}
                                   for n in range(3)])
    with runtime.sessions() as session:
        rows = session.scalars(select(Source).order_by(Source.id)).all()
        jobs = [_OfflineJob(**{f: getattr(SourceJob.from_row(row), f) for f in _JOB_FIELDS},
                            documents=(CollectedDocument(
                                key=f"doc-{row.id}", url=f"{row.url}p", kind="post",
                                title="Acme", text="Acme is fine."),),
                            broken=index == 1)
                for index, row in enumerate(rows)]
    report = CycleReport()
    runner = _Runner(runtime, load_analyser(runtime), load_recipe(runtime), report, None)
    asyncio.run(runner.run(cast(Fetcher, None), jobs))

    assert sorted(o.status for o in report.outcomes) == ["error", "ok", "ok"]
    with runtime.sessions() as session:
        keys = set(session.scalars(select(Document.key)))
        broken = session.get_one(Source, jobs[1].id)
    assert keys == {f"doc-{jobs[0].id}", f"doc-{jobs[2].id}"}
    assert broken.error_count == 1
    assert broken.last_error is not None
    assert "storage refused" in broken.last_error


_JOB_FIELDS = ("id", "name", "url", "kind", "options", "interval", "etag", "last_modified",
               "error_count", "first_crawl")
