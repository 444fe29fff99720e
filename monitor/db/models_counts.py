"""Pre-aggregated counts, kept by database triggers (migration 0072), never written by code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from monitor.db.models import Base

HOUR, DAY = 1, 24  # span_hours of the two granularities kept


class MentionCount(Base):
    """Mentions the default listing shows (not muted, not a syndicated copy) of one brand in
    one hour or UTC day with one shown sentiment, and the sum of their scores."""

    __tablename__ = "mention_counts"
    __table_args__ = (Index("ix_mention_counts_bucket", "span_hours", "bucket_at"),)

    span_hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: deleting a brand cascades to its mentions, whose triggers then count
    # them out of these rows.
    brand_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket_at: Mapped[datetime] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(10), primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[float] = mapped_column(Float)
