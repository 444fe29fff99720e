"""Followed comment threads: discovered by sources, polled while they live."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Update, bindparam, func, literal, or_, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention, ThreadWatch
from monitor.db.repositories._dialect import batched, insert_ignoring_conflicts
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


@dataclass(frozen=True, slots=True)
class ThreadPoll:
    """A fetch of a followed thread, as its watch records it."""

    watch_id: int
    etag: str | None
    last_modified: str | None
    next_check_at: datetime | None  # None: following has ended


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
        """Register threads not seen before; each is fetched once, soon. Returns how many.

        One bulk insert skipping the URLs already watched (also those a concurrent worker
        has just added), rather than a lookup and an insert per thread.
        """
        rows = [
            {"source_id": source_id, "url": t.url, "kind": t.kind, "thread_url": t.thread_url,
             "thread_title": t.thread_title, "follow_until": None, "next_check_at": now,
             "error_count": 0, "created_at": now, "from_first_crawl": from_first_crawl}
            for t in {t.url: t for t in threads}.values()
        ]
        table = ThreadWatch.__table__
        added = 0
        for batch in batched(rows):
            statement = insert_ignoring_conflicts(self.session, table)  # type: ignore[arg-type]
            added += len(self.session.execute(statement.returning(table.c.id), batch).all())
        return added

    def follow_threads_with_mentions(self, thread_urls: set[str], until: datetime) -> int:
        """Start following the given threads that hold a brand mention; returns how many.

        Only the given threads' rows are read, through the thread-URL indexes: the cost of a
        fetch must not grow with the store.
        """
        watches = self._unfollowed(thread_urls)
        if not watches:
            return 0
        mentioned = self._threads_with_mentions({w.thread_url for w in watches})
        count = 0
        for watch in watches:
            if watch.thread_url in mentioned:
                watch.follow_until = until
                count += 1
        self.session.flush()
        return count

    def _unfollowed(self, thread_urls: set[str]) -> list[ThreadWatch]:
        found: list[ThreadWatch] = []
        for chunk in batched(sorted(thread_urls)):
            found.extend(self.session.scalars(select(ThreadWatch).where(
                ThreadWatch.thread_url.in_(chunk), ThreadWatch.follow_until.is_(None),
            )))
        return found

    def _threads_with_mentions(self, thread_urls: set[str]) -> set[str | None]:
        # Two index lookups rather than one join: given the whole mentions table to join,
        # Postgres's planner prefers hashing all of it once the table is a few thousand rows.
        threads: dict[int, str | None] = {}
        for chunk in batched(sorted(thread_urls)):
            threads.update(self.session.execute(select(Document.id, Document.thread_url).where(
                Document.thread_url.in_(chunk))).all())
        found: set[str | None] = set()
        for ids in batched(sorted(threads)):
            found.update(threads[i] for i in self.session.scalars(
                select(Mention.document_id).where(Mention.document_id.in_(ids))))
        return found

    def claim_due(self, now: datetime, *, limit: int, terms: ClaimTerms) -> list[ThreadWatch]:
        conditions = (
            ThreadWatch.next_check_at <= now,
            or_(ThreadWatch.last_fetched_at.is_(None), ThreadWatch.follow_until > now),
            ThreadWatch.error_count < MAX_THREAD_ERRORS,
        )
        return claim_rows(self.session, ThreadWatch, conditions,
                          (ThreadWatch.next_check_at, ThreadWatch.id),
                          limit=limit, now=now, terms=terms)

    def release(self, watch_id: int) -> None:
        """Give back a claimed thread without fetching it."""
        release_claim(self.get(watch_id))
        self.session.flush()

    def record_fetch(
        self, watch_id: int, *, now: datetime, etag: str | None, last_modified: str | None,
        found_new: bool, next_check_at: datetime | None,
    ) -> None:
        """One UPDATE, without loading the row first. Without ``next_check_at`` (following
        has ended) the thread is next due when its follow ends, else now."""
        poll = ThreadPoll(watch_id, etag, last_modified, next_check_at)
        result = self.session.execute(_poll_update(now, found_new=found_new),
                                      _poll_parameters(poll))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFoundError(f"no followed thread with id {watch_id}")

    def record_quiet_polls(self, polls: Sequence[ThreadPoll], now: datetime) -> set[int]:
        """Record polls that found nothing new, all in one statement: they are most of a
        cycle's writes. Returns the ids of the threads no longer there (deleted meanwhile)."""
        if not polls:
            return set()
        result = self.session.execute(_poll_update(now, found_new=False),
                                      [_poll_parameters(p) for p in polls])
        if result.rowcount == len(polls):  # type: ignore[attr-defined]
            return set()
        ids = {p.watch_id for p in polls}
        return ids - set(self.session.scalars(select(ThreadWatch.id).where(
            ThreadWatch.id.in_(sorted(ids)))))

    def record_failure(self, watch_id: int, *, now: datetime, error: str,
                       next_check_at: datetime) -> None:
        watch = self.get(watch_id)
        release_claim(watch)
        watch.error_count += 1
        watch.last_error = error[:MAX_ERROR_CHARS]
        watch.next_check_at = next_check_at
        self.session.flush()


def _poll_update(now: datetime, *, found_new: bool) -> Update:
    """The UPDATE a poll makes, its per-thread values as parameters (see _poll_parameters).
    On the table, not the entity: the ORM's bulk-update path cost more than the write."""
    table = ThreadWatch.__table__
    due = func.coalesce(bindparam("p_due", type_=table.c.next_check_at.type),
                        table.c.follow_until, literal(now, table.c.follow_until.type))
    values: dict[str, Any] = {
        "etag": bindparam("p_etag"), "last_modified": bindparam("p_last_modified"),
        "last_fetched_at": now, "claimed_until": None, "claimed_by": None,
        "error_count": 0, "last_error": None, "next_check_at": due,
    }
    if found_new:
        values["last_activity_at"] = now
    return update(table).where(table.c.id == bindparam("p_id")).values(**values)  # type: ignore[arg-type]


def _poll_parameters(poll: ThreadPoll) -> dict[str, Any]:
    return {"p_id": poll.watch_id, "p_etag": fit_validator(poll.etag, 500),
            "p_last_modified": fit_validator(poll.last_modified, 100),
            "p_due": poll.next_check_at}
