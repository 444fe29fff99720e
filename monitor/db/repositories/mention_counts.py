"""Pre-aggregated mention counts (kept by triggers, migration 0072), and when they apply.

They hold the mentions the default listing shows per brand, hour or UTC day, and shown
sentiment: they answer a filter on brand, sentiment and a time window, nothing else.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from monitor.db.models import Brand
from monitor.db.models_counts import MentionCount
from monitor.db.repositories.mentions import MentionFilter
from monitor.domain.buckets import Point


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
        query = self._select(span_hours, since, until, filters, MentionCount.bucket_at,
                             MentionCount.label, total, func.sum(MentionCount.score_sum))
        query = query.group_by(MentionCount.bucket_at, MentionCount.label).having(total != 0)
        return [Point(at, label, score, int(count))
                for at, label, count, score in self.session.execute(query)]

    def brand_totals(self, span_hours: int, since: datetime, until: datetime,
                     filters: MentionFilter) -> dict[str, int]:
        total = func.sum(MentionCount.mentions)
        query = self._select(span_hours, since, until, filters, Brand.name, total)
        query = query.group_by(Brand.name).having(total != 0)
        return {name: int(count) for name, count in self.session.execute(query)}

    def _select(self, span_hours: int, since: datetime, until: datetime,
                filters: MentionFilter, *columns: Any) -> Select[*tuple[Any, ...]]:
        query = (
            select(*columns)
            .join(Brand, Brand.id == MentionCount.brand_id)
            .where(MentionCount.span_hours == span_hours, MentionCount.bucket_at >= since,
                   MentionCount.bucket_at < until)
        )
        if filters.brand:
            query = query.where(Brand.name == filters.brand)
        if filters.sentiment:
            query = query.where(MentionCount.label == filters.sentiment)
        return query
