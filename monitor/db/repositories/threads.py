"""Followed comment threads: discovered by sources, polled while they live."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention, ThreadWatch
from monitor.db.repositories.claims import ClaimTerms, claim_rows, release_claim
from monitor.db.repositories.sources import MAX_ERROR_CHARS, fit_validator
from monitor.errors import NotFoundError

MAX_THREAD_ERRORS = 8  # a thread failing this often in a row is given up


@dataclass(frozen=True, slots=True)
class DiscoveredThread:
    url: str
    kind: str
    thread_url: str
    thread_title: str


class ThreadRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, watch_id: int) -> ThreadWatch:
        watch = self.session.get(ThreadWatch, watch_id)
        if watch is None:
            raise NotFoundError(f"no followed thread with id {watch_id}")
        return watch

    def add_discovered(
        self, source_id: int, threads: Sequence[DiscoveredThread], now: datetime,
        *, from_first_crawl: bool = False,
    ) -> int:
        """Register threads not seen before; each is fetched once, soon. Returns how many."""
        urls = {t.url for t in threads}
        known = set(self.session.scalars(select(ThreadWatch.url).where(ThreadWatch.url.in_(urls))))
        added = 0
        for thread in {t.url: t for t in threads}.values():
            if thread.url in known:
                continue
            self.session.add(ThreadWatch(
                source_id=source_id, url=thread.url, kind=thread.kind,
                thread_url=thread.thread_url, thread_title=thread.thread_title,
                next_check_at=now, error_count=0, created_at=now,
                from_first_crawl=from_first_crawl,
            ))
            added += 1
        self.session.flush()
        return added

    def follow_threads_with_mentions(self, thread_urls: set[str], until: datetime) -> int:
        """Start following the given threads that hold a brand mention; returns how many."""
        if not thread_urls:
            return 0
        mentioned = exists().where(
            Mention.document_id == Document.id, Document.thread_url == ThreadWatch.thread_url
        )
        watches = self.session.scalars(select(ThreadWatch).where(
            ThreadWatch.thread_url.in_(thread_urls), ThreadWatch.follow_until.is_(None),
            mentioned,
        ))
        count = 0
        for watch in watches:
            watch.follow_until = until
            count += 1
        self.session.flush()
        return count

    def claim_due(self, now: datetime, *, limit: int, terms: ClaimTerms) -> list[ThreadWatch]:
        conditions = (
            ThreadWatch.next_check_at <= now,
            or_(ThreadWatch.last_fetched_at.is_(None), ThreadWatch.follow_until > now),
            ThreadWatch.error_count < MAX_THREAD_ERRORS,
        )
        return claim_rows(self.session, ThreadWatch, conditions,
                          (ThreadWatch.next_check_at, ThreadWatch.id),
                          limit=limit, now=now, terms=terms)

    def record_fetch(
        self, watch_id: int, *, now: datetime, etag: str | None, last_modified: str | None,
        found_new: bool, next_check_at: datetime | None,
    ) -> None:
        watch = self.get(watch_id)
        watch.etag = fit_validator(etag, 500)
        watch.last_modified = fit_validator(last_modified, 100)
        watch.last_fetched_at = now
        release_claim(watch)
        watch.error_count, watch.last_error = 0, None
        if found_new:
            watch.last_activity_at = now
        watch.next_check_at = next_check_at or watch.follow_until or now
        self.session.flush()

    def record_failure(self, watch_id: int, *, now: datetime, error: str,
                       next_check_at: datetime) -> None:
        watch = self.get(watch_id)
        release_claim(watch)
        watch.error_count += 1
        watch.last_error = error[:MAX_ERROR_CHARS]
        watch.next_check_at = next_check_at
        self.session.flush()
