"""What trends are computed from: the same filtered mentions the listing shows, aggregated.

Every query here narrows ``MentionRepository``'s joined select with the very same filter, so
trend counts and ``/mentions`` counts cannot drift apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.models_counts import DAY, HOUR
from monitor.db.repositories.mention_counts import MentionCountRepository, decide_counts_answer
from monitor.db.repositories.mentions import MentionFilter, MentionRepository, shown_label
from monitor.domain.buckets import CountPlan, Interval, Point, compute_count_plan

MAX_TEXTS = 2000  # rising terms read about this many mentions per window at most


@dataclass(frozen=True, slots=True)
class ThreadCount:
    url: str
    title: str
    mentions: int
    id: int | None = None  # GET /api/v1/threads/{id}


@dataclass(frozen=True, slots=True)
class SourceCount:
    id: int
    name: str
    mentions: int


def _base() -> Select[Mention, Document, Brand, Source]:
    return (
        select(Mention, Document, Brand, Source)
        .join(Document, Mention.document_id == Document.id)
        .join(Brand, Mention.brand_id == Brand.id)
        .join(Source, Document.source_id == Source.id)
    )


class TrendRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.mentions = MentionRepository(session)

    def _select(self, filters: MentionFilter, *columns: Any) -> Select[*tuple[Any, ...]]:
        return self.mentions.filtered(_base(), filters).with_only_columns(*columns)

    def points(self, filters: MentionFilter) -> list[Point]:
        query = self._select(filters, Mention.sort_at, shown_label(), Mention.sentiment_score)
        return [Point(at, label, score) for at, label, score in self.session.execute(query)]

    def counted_points(self, filters: MentionFilter, interval: Interval) -> list[Point]:
        """What ``points`` returns, tallied: from the pre-aggregated counts when they answer
        ``filters`` (whole hours and days), else, and for the ends of the window short of an
        hour, from the mentions. ``filters`` must have its window set."""
        plan = self._plan(filters, interval)
        if plan is None:
            return self.points(filters)
        counts = MentionCountRepository(self.session)
        found = [p for a, b in plan.exact for p in self.points(replace(filters, since=a, until=b))]
        for span, ranges in ((DAY, plan.days), (HOUR, plan.hours)):
            found += [p for a, b in ranges for p in counts.points(span, a, b, filters)]
        return found

    def brand_counts(self, filters: MentionFilter) -> dict[str, int]:
        """Mentions per brand under ``filters`` with the brand filter lifted (share of voice)."""
        filters = replace(filters, brand=None)
        plan = self._plan(filters, "day")
        if plan is None:
            return self._exact_brand_counts(filters)
        counts = MentionCountRepository(self.session)
        totals: Counter[str] = Counter()
        for a, b in plan.exact:
            totals.update(self._exact_brand_counts(replace(filters, since=a, until=b)))
        for span, ranges in ((DAY, plan.days), (HOUR, plan.hours)):
            for a, b in ranges:
                totals.update(counts.brand_totals(span, a, b, filters))
        return {name: count for name, count in totals.items() if count}

    def _exact_brand_counts(self, filters: MentionFilter) -> dict[str, int]:
        query = self._select(filters, Brand.name, func.count(Mention.id))
        return {name: count for name, count in self.session.execute(query.group_by(Brand.name))}

    def _plan(self, filters: MentionFilter, interval: Interval) -> CountPlan | None:
        """None when the counts cannot answer ``filters`` (see decide_counts_answer)."""
        if filters.since is None or filters.until is None or not decide_counts_answer(filters):
            return None
        self.mentions.check_brand(filters.brand)
        return compute_count_plan(filters.since, filters.until, interval)

    def topic_counts(self, filters: MentionFilter) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (topics,) in self.session.execute(self._select(filters, Mention.topics)):
            counts.update({str(t) for t in topics or []})
        return counts

    def top_threads(self, filters: MentionFilter, top: int) -> list[ThreadCount]:
        url = func.coalesce(Document.thread_url, Document.url)
        title = func.max(func.coalesce(Document.thread_title, Document.title))
        query = self._select(filters, url, title, func.count(Mention.id),
                             func.max(Document.thread_id)).group_by(url)
        query = query.order_by(func.count(Mention.id).desc(), url).limit(top)
        return [ThreadCount(u, t or "", n, i) for u, t, n, i in self.session.execute(query)]

    def top_sources(self, filters: MentionFilter, top: int) -> list[SourceCount]:
        query = self._select(filters, Source.id, Source.name, func.count(Mention.id))
        query = query.group_by(Source.id, Source.name)
        query = query.order_by(func.count(Mention.id).desc(), Source.id).limit(top)
        return [SourceCount(i, name, n) for i, name, n in self.session.execute(query)]

    def texts(self, filters: MentionFilter) -> list[str]:
        """Titles and snippets for term statistics: all of them, or an even sample by id of
        about ``MAX_TEXTS`` when there are more (counting words is the costly part)."""
        total = self.session.scalar(self._select(filters, func.count(Mention.id))) or 0
        stride = -(-total // MAX_TEXTS)
        query = self._select(filters, Document.title, Mention.snippet)
        if stride > 1:
            query = query.where(Mention.id % stride == 0)
        return [f"{title} {snippet}".strip() for title, snippet in self.session.execute(query)]
