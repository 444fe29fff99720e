"""Pre-aggregated mention counts (kept by triggers, migrations 0072, 0074 and 0083), and when
they apply.

They hold the mentions the default listing shows per brand, hour or UTC day, and shown
sentiment, and per source and per topic: they answer a filter on brand, sentiment and a time
window, nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from monitor.db.models import Brand
from monitor.db.models_counts import (
    DAY,
    EVERY_BRAND,
    HOUR,
    MentionCount,
    SourceBucketCount,
    TopicBucketCount,
)
from monitor.db.repositories.mentions import MentionFilter
from monitor.domain.buckets import LABELS, CountPlan, Point


def decide_counts_answer(filters: MentionFilter) -> bool:
    """True when the pre-aggregated counts hold exactly what ``filters`` select: only brand,
    sentiment and the window are set (muted mentions and syndicated copies left out)."""
    rest = replace(filters, brand=None, sentiment=None, since=None, until=None, as_of=None)
    return rest == MentionFilter()


class MentionCountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def points(self, span_hours: int, since: datetime, until: datetime,
               filters: MentionFilter) -> list[Point]:
        """One counted point per bucket start and label in [since, until), which must be whole
        buckets of ``span_hours``."""
        total = func.sum(MentionCount.mentions)
        query = _of_brand(self._select(span_hours, since, until, filters, MentionCount.bucket_at,
                                       MentionCount.label, total,
                                       func.sum(MentionCount.score_sum)), filters.brand)
        query = query.group_by(MentionCount.bucket_at, MentionCount.label).having(total != 0)
        return [Point(at, label, score, int(count))
                for at, label, count, score in self.session.execute(query)]

    def bucket_totals(self, plan: CountPlan, filters: MentionFilter
                      ) -> list[tuple[datetime, timedelta, int]]:
        """(start, length, mentions) of each whole day and hour of ``plan`` with any mention
        under ``filters``."""
        total = func.sum(MentionCount.mentions)
        query = _of_brand(select(MentionCount.span_hours, MentionCount.bucket_at, total),
                          filters.brand)
        if filters.sentiment:
            query = query.where(MentionCount.label == filters.sentiment)
        query = query.group_by(MentionCount.span_hours, MentionCount.bucket_at).having(total > 0)
        return [(at, timedelta(hours=span), int(count))
                for range_ in in_plan(MentionCount.span_hours, MentionCount.bucket_at, plan)
                for span, at, count in self.session.execute(query.where(range_))]

    def brand_totals(self, span_hours: int, since: datetime, until: datetime,
                     filters: MentionFilter) -> dict[str, int]:
        total = func.sum(MentionCount.mentions)
        query = self._select(span_hours, since, until, filters, Brand.name, total).join(
            Brand, Brand.id == MentionCount.brand_id)  # brand 0 has no row: left out
        if filters.brand:
            query = query.where(Brand.name == filters.brand)
        query = query.group_by(Brand.name).having(total != 0)
        return {name: int(count) for name, count in self.session.execute(query)}

    def _select(self, span_hours: int, since: datetime, until: datetime,
                filters: MentionFilter, *columns: Any) -> Select[*tuple[Any, ...]]:
        query = select(*columns).where(
            MentionCount.span_hours == span_hours, MentionCount.bucket_at >= since,
            MentionCount.bucket_at < until)
        if filters.sentiment:
            query = query.where(MentionCount.label == filters.sentiment)
        return query


def _of_brand(query: Select[*tuple[Any, ...]], brand: str | None
              ) -> Select[*tuple[Any, ...]]:
    """``query`` narrowed to the rows of the brand named, or to those of every brand together
    (``EVERY_BRAND``, migration 0083): a window's buckets then read one row each, not one per
    brand."""
    if brand:
        return query.join(Brand, Brand.id == MentionCount.brand_id).where(Brand.name == brand)
    return query.where(MentionCount.brand_id == EVERY_BRAND)


def decide_facet_counts_answer(filters: MentionFilter) -> bool:
    """True when the per-source and per-topic counts (migration 0074) hold exactly what
    ``filters`` select: the mention counts would, and a sentiment filter names a label they
    keep a column for."""
    return decide_counts_answer(filters) and (filters.sentiment is None
                                              or filters.sentiment in LABELS)


class FacetCountRepository:
    """Mentions per source or topic over the whole hours and days of a count plan, for one
    brand or all of them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def source_totals(self, plan: CountPlan, brand_id: int | None, sentiment: str | None
                      ) -> Counter[int]:
        return self._totals(SourceBucketCount, SourceBucketCount.source_id, plan, brand_id,
                            sentiment)

    def topic_totals(self, plan: CountPlan, brand_id: int | None, sentiment: str | None
                     ) -> Counter[str]:
        return self._totals(TopicBucketCount, TopicBucketCount.topic, plan, brand_id,
                            sentiment)

    def _totals(self, model: type[SourceBucketCount] | type[TopicBucketCount], key: Any,
                plan: CountPlan, brand_id: int | None, sentiment: str | None
                ) -> Counter[Any]:
        tally = func.sum(getattr(model, sentiment) if sentiment else model.mentions)
        query = select(key, tally).where(
            model.brand_id == (EVERY_BRAND if brand_id is None else brand_id))
        totals: Counter[Any] = Counter()
        for range_ in in_plan(model.span_hours, model.bucket_at, plan):
            totals.update({found: int(n) for found, n in self.session.execute(
                query.where(range_).group_by(key).having(tally != 0))})
        return totals


def in_plan(span_hours: Any, bucket_at: Any, plan: CountPlan) -> list[ColumnElement[bool]]:
    """The counted buckets of ``plan``'s whole days and hours, one key range each. Each is
    read by a statement of its own: OR-ed together, Postgres estimated too many rows and
    started parallel workers for a few thousand (a dozen milliseconds), and a union of them
    was slower still."""
    return [and_(span_hours == span, bucket_at >= a, bucket_at < b)
            for span, spans in ((DAY, plan.days), (HOUR, plan.hours)) for a, b in spans]
