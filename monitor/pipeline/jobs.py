"""The two kinds of fetch a cycle runs, a source and a followed thread, and how each is saved."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from collectors.dispatch import collect_source, collect_thread
from collectors.document import CollectResult, FetchState, SourceSpec, ThreadRef
from collectors.fetching import Fetcher
from monitor.config import CollectorSettings
from monitor.db.models import Source, ThreadWatch
from monitor.db.repositories import SourceRepository, ThreadRepository
from monitor.db.repositories.threads import DiscoveredThread, ThreadPoll
from monitor.domain.analysis import Analyser
from monitor.domain.freshness import FIRST_CRAWL_NEWS_WINDOW
from monitor.domain.query import QuerySyntaxError, parse_query
from monitor.domain.schedule import decide_next_check, decide_thread_next_check
from monitor.domain.search_terms import compute_search_terms
from monitor.pipeline.preanalysis import AnalyserRecipe, Analyses, analyse_ahead
from monitor.pipeline.store import (
    PreparedDocuments,
    StoreReport,
    as_source_kind,
    prepare_documents,
    save_documents,
)

Fetched = tuple["CollectJob", CollectResult | BaseException]


class CollectJob(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def is_thread(self) -> bool: ...

    async def fetch(self, fetcher: Fetcher) -> Fetched: ...

    async def analyse_ahead(self, recipe: AnalyserRecipe, result: CollectResult) -> Analyses: ...

    def quiet_poll(self, result: CollectResult, now: datetime) -> ThreadPoll | None: ...

    def prepare(self, reads: Session, analyser: Analyser, result: CollectResult,
                now: datetime, analysed_ahead: Analyses | None = None) -> PreparedDocuments: ...

    def save_result(self, session: Session, settings: CollectorSettings,
                    prepared: PreparedDocuments, result: CollectResult,
                    now: datetime) -> StoreReport: ...

    def save_failure(self, session: Session, settings: CollectorSettings, message: str,
                     retry_after: timedelta | None, now: datetime) -> None: ...

    def log_ids(self) -> dict[str, int]: ...


async def _guarded(job: CollectJob, fetch: Awaitable[CollectResult]) -> Fetched:
    try:
        return job, await fetch
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        return job, exc


@dataclass(frozen=True, slots=True)
class SourceJob:
    """A claimed source, detached from the session that claimed it."""

    id: int
    name: str
    url: str
    kind: str | None
    options: dict[str, str]
    interval: timedelta
    etag: str | None
    last_modified: str | None
    error_count: int
    first_crawl: bool
    is_thread: bool = False
    cursor: str | None = None
    search_terms: tuple[tuple[str, ...], ...] = ()
    news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW  # of the configured alert settings

    @classmethod
    def from_row(cls, source: Source, brand_queries: Sequence[str] = (), *,
                 news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW) -> SourceJob:
        """``brand_queries``: what a search source asks its engine (unless its ``query``
        option says otherwise); ``news_window``: see ``decide_backfill``."""
        return cls(
            id=source.id, name=source.name, url=source.url, kind=source.kind,
            options=dict(source.options), interval=timedelta(seconds=source.interval_s),
            etag=source.etag, last_modified=source.last_modified,
            error_count=source.error_count, first_crawl=source.last_success_at is None,
            cursor=source.fetch_cursor,
            search_terms=compute_source_terms(source.kind, source.options, brand_queries),
            news_window=news_window,
        )

    def log_ids(self) -> dict[str, int]:
        return {"source_id": self.id}

    async def fetch(self, fetcher: Fetcher) -> Fetched:
        spec = SourceSpec(url=self.url, kind=as_source_kind(self.kind), options=self.options,
                          search_terms=self.search_terms)
        state = FetchState(etag=self.etag, last_modified=self.last_modified, cursor=self.cursor)
        return await _guarded(self, collect_source(fetcher, spec, state))

    async def analyse_ahead(self, recipe: AnalyserRecipe, result: CollectResult) -> Analyses:
        return await analyse_ahead(recipe, self.kind, result)

    def quiet_poll(self, result: CollectResult, now: datetime) -> ThreadPoll | None:
        return None  # a source's fetch updates its health and schedule: saved on its own

    def prepare(self, reads: Session, analyser: Analyser, result: CollectResult,
                now: datetime, analysed_ahead: Analyses | None = None) -> PreparedDocuments:
        return prepare_documents(reads, analyser, self.kind, result, now,
                                 analysed_ahead=analysed_ahead,
                                 first_fetch=self.first_crawl, news_window=self.news_window)

    def save_result(self, session: Session, settings: CollectorSettings,
                    prepared: PreparedDocuments, result: CollectResult,
                    now: datetime) -> StoreReport:
        stored = save_documents(session, prepared, self.id, now)
        register_threads(session, self.id, result, now + settings.follow_threads_for, now,
                         from_first_crawl=self.first_crawl)
        SourceRepository(session).record_success(
            self.id, now=now, status=str(result.status), etag=result.state.etag,
            last_modified=result.state.last_modified, kind=stored.detected_kind,
            next_check_at=decide_next_check(now, self.interval, jitter_key=self.url),
            cursor=result.state.cursor,
        )
        return stored

    def save_failure(self, session: Session, settings: CollectorSettings, message: str,
                     retry_after: timedelta | None, now: datetime) -> None:
        SourceRepository(session).record_failure(
            self.id, now=now, status="error", error=message,
            next_check_at=decide_next_check(
                now, self.interval, jitter_key=self.url, error_count=self.error_count + 1,
                retry_after=retry_after, max_backoff=settings.max_backoff,
            ),
        )


@dataclass(frozen=True, slots=True)
class ThreadJob:
    """A claimed comment thread, detached from the session that claimed it."""

    id: int
    name: str
    source_id: int
    source_kind: str | None
    ref: ThreadRef
    etag: str | None
    last_modified: str | None
    follow_until: datetime | None
    quiet_since: datetime
    error_count: int
    first_fetch: bool
    is_thread: bool = True
    news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW  # of the configured alert settings

    @classmethod
    def from_row(cls, watch: ThreadWatch, source_kind: str | None, *,
                 news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW) -> ThreadJob:
        ref = ThreadRef(url=watch.url, kind=as_source_kind(watch.kind) or "rss",
                        thread_url=watch.thread_url, thread_title=watch.thread_title)
        return cls(
            id=watch.id, name=watch.thread_title or watch.url, source_id=watch.source_id,
            source_kind=source_kind, ref=ref, etag=watch.etag,
            last_modified=watch.last_modified, follow_until=watch.follow_until,
            quiet_since=watch.last_activity_at or watch.created_at,
            error_count=watch.error_count,
            first_fetch=watch.from_first_crawl and watch.last_fetched_at is None,
            news_window=news_window,
        )

    def log_ids(self) -> dict[str, int]:
        return {"source_id": self.source_id, "thread_id": self.id}

    async def fetch(self, fetcher: Fetcher) -> Fetched:
        state = FetchState(etag=self.etag, last_modified=self.last_modified)
        return await _guarded(self, collect_thread(fetcher, self.ref, state))

    async def analyse_ahead(self, recipe: AnalyserRecipe, result: CollectResult) -> Analyses:
        return await analyse_ahead(recipe, self.source_kind, result)

    def quiet_poll(self, result: CollectResult, now: datetime) -> ThreadPoll | None:
        """The fetch as a poll that brought nothing (no document, no thread; a 304 or an
        empty feed): most polls of a comment feed, recorded with their batch's others."""
        if result.documents or result.threads:
            return None
        return ThreadPoll(self.id, result.state.etag, result.state.last_modified,
                          decide_thread_next_check(now, follow_until=self.follow_until,
                                                   quiet_since=self.quiet_since))

    def prepare(self, reads: Session, analyser: Analyser, result: CollectResult,
                now: datetime, analysed_ahead: Analyses | None = None) -> PreparedDocuments:
        return prepare_documents(reads, analyser, self.source_kind, result, now,
                                 analysed_ahead=analysed_ahead,
                                 first_fetch=self.first_fetch, news_window=self.news_window)

    def save_result(self, session: Session, settings: CollectorSettings,
                    prepared: PreparedDocuments, result: CollectResult,
                    now: datetime) -> StoreReport:
        stored = save_documents(session, prepared, self.source_id, now)
        follow_until = now + settings.follow_threads_for
        following = self.follow_until
        if stored.new_documents or result.threads:
            # Following is decided where documents are stored: a fetch that stored nothing
            # and revealed no thread cannot have made any thread hold a mention (most polls
            # of a comment feed bring nothing new; they skip these lookups and the re-read).
            register_threads(session, self.source_id, result, follow_until, now,
                             extra_thread_urls={self.ref.thread_url})
            following = ThreadRepository(session).get(self.id).follow_until
        found_new = stored.new_documents > 0
        ThreadRepository(session).record_fetch(
            self.id, now=now, etag=result.state.etag, last_modified=result.state.last_modified,
            found_new=found_new,
            next_check_at=decide_thread_next_check(
                now, follow_until=following,
                quiet_since=now if found_new else self.quiet_since,
            ),
        )
        return stored

    def save_failure(self, session: Session, settings: CollectorSettings, message: str,
                     retry_after: timedelta | None, now: datetime) -> None:
        ThreadRepository(session).record_failure(
            self.id, now=now, error=message,
            next_check_at=decide_next_check(
                now, timedelta(minutes=15), jitter_key=self.ref.url,
                error_count=self.error_count + 1, retry_after=retry_after,
                max_backoff=settings.max_backoff,
            ),
        )


def compute_source_terms(
    kind: str | None, options: Mapping[str, str], brand_queries: Sequence[str]
) -> tuple[tuple[str, ...], ...]:
    """The term groups a search source asks for: its own ``query`` option, else every
    brand's query (nothing for other kinds)."""
    if kind != "search":
        return ()
    queries = [options["query"]] if options.get("query") else list(brand_queries)
    parsed = []
    for query in queries:
        try:
            parsed.append(parse_query(query))
        except QuerySyntaxError:
            continue  # refused where it was saved; an old row must not stop the cycle
    return compute_search_terms(parsed)


def register_threads(
    session: Session, source_id: int, result: CollectResult, follow_until: datetime,
    now: datetime, *, extra_thread_urls: set[str] | None = None, from_first_crawl: bool = False,
) -> None:
    """Remember the comment streams a fetch revealed; follow those where a brand is mentioned."""
    threads = ThreadRepository(session)
    threads.add_discovered(source_id, [
        DiscoveredThread(t.url, t.kind, t.thread_url, t.thread_title) for t in result.threads
    ], now, from_first_crawl=from_first_crawl)
    thread_urls = {t.thread_url for t in result.threads} | (extra_thread_urls or set())
    thread_urls |= {d.thread_url for d in result.documents if d.thread_url}
    threads.follow_threads_with_mentions(thread_urls, follow_until)
