"""Stored priorities: each item's score and reasons, rescored when their signals change.

Signals change when an item is stored, when a new entry joins its thread (thread growth), when
a re-fetch reads new engagement figures for it, and when triage marks it or overrides a
sentiment. Callers name the items that changed; each
rescoring reads its items in batches and writes only the scores that moved, the item's and the
copy on its mentions that listings sort by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from monitor.db.models import Brand, Document, Mention
from monitor.db.repositories._dialect import batched
from monitor.domain.needs_reply import detect_needs_reply
from monitor.domain.priority import GROWTH_WINDOW, compute_signals, score_priority

NO_TIME = timedelta(0)


class PriorityRepository:
    def __init__(self, session: Session, *, reread_engagement: bool = True) -> None:
        """``reread_engagement=False`` reads every item's figures as read at its discovery:
        for a migration running before documents.engagement_read_at exists (0076)."""
        self.session = session
        self.read_at = (func.coalesce(Document.engagement_read_at, Document.discovered_at)
                        if reread_engagement else Document.discovered_at)

    def refresh_after_insert(self, document_ids: Iterable[int]) -> int:
        """Score newly stored documents, and rescore the earlier items of their threads whose
        growth window they fall in. Returns how many items' scores changed."""
        new = sorted(set(document_ids))
        return self.refresh(sorted(set(new) | self._grown_by(new)))

    def refresh(self, document_ids: Sequence[int]) -> int:
        """Rescore the given items (documents without mentions are skipped)."""
        changed = 0
        for chunk in batched(sorted(set(document_ids))):
            changed += self._refresh_chunk(chunk)
        return changed

    def _grown_by(self, new_ids: list[int]) -> set[int]:
        """Items with mentions published in the growth window before a new thread entry."""
        spans: dict[int, tuple[datetime, datetime]] = {}
        for chunk in batched(new_ids):
            for thread_id, published in self.session.execute(
                    select(Document.thread_id, Document.published_at).where(
                        Document.id.in_(chunk), Document.thread_id.is_not(None),
                        Document.published_at.is_not(None))):
                if thread_id is not None and published is not None:  # as queried; for mypy
                    _widen(spans, thread_id, published)
        found: set[int] = set()
        for thread_id, published, doc_id in self._in_threads(
                spans, before=GROWTH_WINDOW, with_mentions=True):
            low, high = spans[thread_id]
            if low - GROWTH_WINDOW <= published < high:
                found.add(doc_id)
        return found

    def _in_threads(self, spans: dict[int, tuple[datetime, datetime]], *,
                    before: timedelta = NO_TIME, after: timedelta = NO_TIME,
                    with_mentions: bool = False) -> list[tuple[int, datetime, int]]:
        """(thread, published, id) of the entries of the given threads around their spans,
        one query per batch of threads over the (thread_id, published_at) index; callers trim
        to each thread's own span."""
        rows: list[tuple[int, datetime, int]] = []
        for chunk in batched(sorted(spans)):
            low = min(spans[t][0] for t in chunk) - before
            high = max(spans[t][1] for t in chunk) + after
            query = select(Document.thread_id, Document.published_at, Document.id).where(
                Document.thread_id.in_(chunk), Document.published_at >= low,
                Document.published_at <= high)
            if with_mentions:
                query = query.where(exists().where(Mention.document_id == Document.id))
            rows += [(t, p, i) for t, p, i in self.session.execute(query)
                     if t is not None and p is not None]
        return rows

    def _refresh_chunk(self, ids: list[int]) -> int:
        docs = self.session.execute(select(
            Document.id, Document.text, Document.state, Document.engagement,
            Document.published_at, self.read_at.label("read_at"), Document.thread_id,
            Document.priority, Document.priority_reasons).where(
                Document.id.in_(ids), exists().where(Mention.document_id == Document.id))).all()
        if not docs:  # most fetches bring comments naming no brand
            return 0
        mentions = self._mentions_of([doc.id for doc in docs])
        times = self._thread_times(docs)
        updates = []
        for doc in docs:
            brands, sentiments = mentions.get(doc.id, ([], []))
            signals = compute_signals(
                reply_reason=detect_needs_reply(doc.text, brands).reason,
                triage_state=doc.state, sentiments=sentiments, counts=doc.engagement or {},
                published_at=doc.published_at, read_at=doc.read_at,
                thread_times=times.get(doc.thread_id, []) if doc.published_at else [])
            priority = score_priority(signals)
            if priority.score != doc.priority or list(priority.reasons) != doc.priority_reasons:
                updates.append({"doc": doc.id, "score": priority.score,
                                "reasons": list(priority.reasons)})
        self._save(updates)
        return len(updates)

    def _mentions_of(self, ids: list[int]
                     ) -> dict[int, tuple[list[str], list[tuple[float, str | None]]]]:
        found: dict[int, tuple[list[str], list[tuple[float, str | None]]]] = {}
        for doc_id, brand, score, override in self.session.execute(
                select(Mention.document_id, Brand.name, Mention.sentiment_score,
                       Mention.sentiment_override).join(Brand, Mention.brand_id == Brand.id)
                .where(Mention.document_id.in_(ids)).order_by(Brand.name)):
            brands, sentiments = found.setdefault(doc_id, ([], []))
            brands.append(brand)
            sentiments.append((score, override))
        return found

    def _thread_times(self, docs: Sequence[Any]) -> dict[int, list[datetime]]:
        """Publication times in each thread, over the span the items' windows cover."""
        spans: dict[int, tuple[datetime, datetime]] = {}
        for doc in docs:
            if doc.thread_id is not None and doc.published_at is not None:
                _widen(spans, doc.thread_id, doc.published_at)
        times: dict[int, list[datetime]] = defaultdict(list)
        for thread_id, published, _ in self._in_threads(spans, after=GROWTH_WINDOW):
            low, high = spans[thread_id]
            if low <= published <= high + GROWTH_WINDOW:
                times[thread_id].append(published)
        return times

    def _save(self, updates: list[dict[str, Any]]) -> None:
        """One executemany per table, then the loaded objects see the new values (a triage
        request answers with the item it just changed)."""
        if not updates:
            return
        documents, mentions = cast(Table, Document.__table__), cast(Table, Mention.__table__)
        connection = self.session.connection()
        connection.execute(
            update(documents).where(documents.c.id == bindparam("doc"))
            .values(priority=bindparam("score"), priority_reasons=bindparam("reasons")),
            updates)
        connection.execute(
            update(mentions).where(mentions.c.document_id == bindparam("doc"))
            .values(priority=bindparam("score")), updates)
        by_doc = {u["doc"]: u for u in updates}
        for loaded in list(self.session.identity_map.values()):
            if isinstance(loaded, Document) and loaded.id in by_doc:
                set_committed_value(loaded, "priority", by_doc[loaded.id]["score"])
                set_committed_value(loaded, "priority_reasons", by_doc[loaded.id]["reasons"])
            elif isinstance(loaded, Mention) and loaded.document_id in by_doc:
                set_committed_value(loaded, "priority", by_doc[loaded.document_id]["score"])


def _widen(spans: dict[int, tuple[datetime, datetime]], key: int, moment: datetime) -> None:
    low, high = spans.get(key, (moment, moment))
    spans[key] = (min(low, moment), max(high, moment))
