"""Pre-aggregated counts, kept by database triggers (migrations 0072, 0074 and 0083), never
written by code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.db.models import Base

HOUR, DAY = 1, 24  # span_hours of the two granularities kept


class MentionCount(Base):
    """Mentions the default listing shows (not muted, not a syndicated copy) of one brand (or
    of every brand: ``EVERY_BRAND``, migration 0083) in one hour or UTC day with one shown
    sentiment, and the sum of their scores."""

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


EVERY_BRAND = 0  # the brand_id of the counts of all brands together
# Kept in the primary key's index on Postgres, so a window is read from the index alone.
TALLIES = ("mentions", "positive", "negative", "neutral", "unscored")


class SourceBucketCount(Base):
    """Mentions the default listing shows of one brand (or of every brand: ``EVERY_BRAND``)
    from one source in one hour or UTC day, in all and per shown sentiment (migration 0074)."""

    __tablename__ = "source_counts"
    __table_args__ = (
        PrimaryKeyConstraint("span_hours", "brand_id", "bucket_at", "source_id",
                             postgresql_include=list(TALLIES)),
        {"sqlite_with_rowid": False},
    )

    span_hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket_at: Mapped[datetime] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    unscored: Mapped[int] = mapped_column(Integer)


class TopicBucketCount(Base):
    """As ``SourceBucketCount``, per topic (each distinct string of a mention's topics)."""

    __tablename__ = "topic_counts"
    __table_args__ = (
        PrimaryKeyConstraint("span_hours", "brand_id", "bucket_at", "topic",
                             postgresql_include=list(TALLIES)),
        {"sqlite_with_rowid": False},
    )

    span_hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket_at: Mapped[datetime] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(Text, primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    unscored: Mapped[int] = mapped_column(Integer)
