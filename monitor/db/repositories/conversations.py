"""Threads as people read them: every stored post and comment of one, read marks, follow.

(``ThreadRepository`` is the crawler's side: the comment streams it polls.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.db.models import Document, ThreadWatch
from monitor.db.models_desk import Thread, ThreadRead
from monitor.db.repositories._dialect import batched, insert_ignoring_conflicts
from monitor.domain.threads import compute_thread_key
from monitor.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class ThreadSeed:
    url: str
    title: str


def thread_of(row: dict[str, Any]) -> ThreadSeed:
    """The thread a document row belongs to: its thread URL, or itself when it is the post."""
    url = row.get("thread_url") or row["url"]
    title = row.get("thread_title") or (row.get("title") if url == row["url"] else "") or ""
    return ThreadSeed(url, title)


class ConversationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def assign(self, rows: Sequence[dict[str, Any]], now: datetime) -> None:
        """Set ``thread_id`` on document rows about to be inserted, creating new threads."""
        seeds: dict[str, ThreadSeed] = {}
        for row in rows:
            seed = thread_of(row)
            if seed.title or seed.url not in seeds:
                seeds[seed.url] = seed
        ids = self.ids_for([s.url for s in seeds.values()], seeds, now)
        for row in rows:
            row["thread_id"] = ids[thread_of(row).url]

    def ids_for(self, urls: Sequence[str], seeds: dict[str, ThreadSeed] | None = None,
                now: datetime | None = None) -> dict[str, int]:
        """URL → thread id; with ``seeds`` and ``now``, threads not stored yet are created."""
        keys = {compute_thread_key(url): url for url in urls}
        found: dict[str, int] = {}
        if seeds is not None and now is not None:
            rows = [{"key": k, "url": u[:2000], "title": seeds[u].title, "followed": False,
                     "created_at": now} for k, u in keys.items()]
            table = Thread.__table__
            for batch in batched(rows):
                statement = insert_ignoring_conflicts(self.session, table)  # type: ignore[arg-type]
                inserted = self.session.execute(statement.returning(table.c.key, table.c.id),
                                                batch)
                found.update({keys[k]: i for k, i in inserted})
        # Only the threads stored before (not inserted just now) are looked up.
        for chunk in batched(sorted(k for k, u in keys.items() if u not in found)):
            query = select(Thread.key, Thread.id).where(Thread.key.in_(chunk))
            found.update({keys[k]: i for k, i in self.session.execute(query)})
        return found

    def get(self, thread_id: int) -> Thread:
        thread = self.session.get(Thread, thread_id)
        if thread is None:
            raise NotFoundError(f"no thread with id {thread_id}")
        return thread

    def documents(self, thread_id: int) -> list[Document]:
        """Every stored post and comment of the thread (syndicated copies too), oldest first."""
        query = select(Document).where(Document.thread_id == thread_id).order_by(Document.id)
        return list(self.session.scalars(query))

    def record_open(self, principal: str, thread_id: int, now: datetime) -> datetime | None:
        """Note that ``principal`` opened the thread now; returns when they last had before."""
        read = self.session.get(ThreadRead, (principal, thread_id))
        if read is None:
            self.session.add(ThreadRead(principal=principal, thread_id=thread_id, opened_at=now))
            self.session.flush()
            return None
        previous, read.opened_at = read.opened_at, now
        self.session.flush()
        return previous

    def set_followed(self, thread_id: int, followed: bool, until: datetime | None) -> Thread:
        """Follow (or stop following) a thread; a followed thread's comment stream is polled
        until ``until``."""
        thread = self.get(thread_id)
        thread.followed = followed
        if until is not None:
            self.session.execute(update(ThreadWatch).where(
                ThreadWatch.thread_url == thread.url).values(follow_until=until))
        self.session.flush()
        return thread
