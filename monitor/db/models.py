"""Typed ORM models. Relationships raise on lazy load: repositories say what they load."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which stores naive text) as on Postgres."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if dialect.name != "sqlite" else _naive_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON,
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(255), index=True)
    interval_s: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    from_config: Mapped[bool] = mapped_column(Boolean, default=False)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    fetch_cursor: Mapped[str | None] = mapped_column(Text)  # the collector's own bookmark
    next_check_at: Mapped[datetime] = mapped_column(index=True)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200), index=True)
    last_fetched_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_source_published", "source_id", "published_at"),
        Index("ix_documents_thread", "thread_id", "published_at"),
        Index("ix_documents_thread_url", "thread_url", postgresql_using="hash"),
        # A thread is its url, a post outside any thread its own (top threads, migration 0074).
        Index("ix_documents_thread_key", func.coalesce(text("thread_url"), text("url")),
              postgresql_using="hash"),
        Index("ix_documents_duplicate_of_id", "duplicate_of_id",
              sqlite_where=text("duplicate_of_id IS NOT NULL"),
              postgresql_where=text("duplicate_of_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(700), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(10))
    author: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime | None]
    discovered_at: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    thread_url: Mapped[str | None] = mapped_column(String(2000))
    thread_title: Mapped[str | None] = mapped_column(Text)
    parent_key: Mapped[str | None] = mapped_column(String(700), index=True)
    language: Mapped[str | None] = mapped_column(String(10))
    engagement: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # When ``engagement`` was last read off the source, if a later fetch changed it (else it
    # is the figure read at ``discovered_at``): the priority's velocity is measured to it.
    engagement_read_at: Mapped[datetime | None]
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    # Triage belongs to the item: a comment naming two brands is answered once.
    state: Mapped[str] = mapped_column(String(20), default="new", server_default="new")
    snoozed_until: Mapped[datetime | None]
    state_changed_at: Mapped[datetime | None]
    # The thread (threads.id) it belongs to. No foreign key in the schema: adding one would
    # rebuild the table on SQLite, and its search triggers with it.
    thread_id: Mapped[int | None]
    # What to read first (monitor/domain/priority.py): points and their reason labels, kept
    # current by PriorityRepository when the signals change; mentions carry a copy to sort by.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    priority_reasons: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    from_config: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("document_id", "brand_id", name="uq_mentions_document_brand"),
        Index("ix_mentions_brand_sort", "brand_id", "sort_at", "id"),
        # The document id lets a search test a mention from the index entry alone (0081).
        Index("ix_mentions_sort", "sort_at", "id", "document_id"),
        Index("ix_mentions_engagement", "engagement", "id"),
        # The inbox walks mentions in (sort key, document) order to list each item once.
        Index("ix_mentions_item_sort", "sort_at", "document_id"),
        Index("ix_mentions_brand_item_sort", "brand_id", "sort_at", "document_id"),
        Index("ix_mentions_item_engagement", "engagement", "document_id"),
        Index("ix_mentions_priority", "priority", "id"),
        Index("ix_mentions_item_priority", "priority", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    sort_at: Mapped[datetime]  # published time, or discovery time when unknown
    spans: Mapped[list[Any]] = mapped_column(default=list)
    snippet: Mapped[str] = mapped_column(Text, default="")
    sentiment_score: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment_label: Mapped[str] = mapped_column(String(10), default="neutral")
    sentiment_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment_override: Mapped[str | None] = mapped_column(String(10))
    topics: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Found long after it was published, or by its source's first crawl and published before
    # the current detection window: history, never news (see decide_backfill).
    backfill: Mapped[bool] = mapped_column(Boolean, default=False)
    # Search fields, filled on insert by MentionRepository from the document.
    site: Mapped[str] = mapped_column(String(255), default="", index=True)
    engagement: Mapped[int] = mapped_column(Integer, default=0)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("exclusions.id", ondelete="SET NULL"), index=True
    )
    # Its item's priority (documents.priority), the same on every brand's mention of it: the
    # inbox walks mentions in (sort key, document) order and needs one key per item.
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ThreadWatch(Base):
    """A comment stream being followed: polled while it lives, less often as it cools."""

    __tablename__ = "thread_watches"
    __table_args__ = (
        Index("ix_thread_watches_thread_url", "thread_url", postgresql_using="hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    thread_url: Mapped[str] = mapped_column(String(2000))
    thread_title: Mapped[str] = mapped_column(Text, default="")
    follow_until: Mapped[datetime | None]  # None: fetched once at discovery, not followed
    # Found by its source's first crawl: its first fetch brings history, not news.
    from_first_crawl: Mapped[bool] = mapped_column(Boolean, default=False)
    next_check_at: Mapped[datetime] = mapped_column(index=True)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200), index=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_fetched_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]  # when a new comment was last found
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentFingerprint(Base):
    """A document's MinHash signature, for finding syndicated copies of it later."""

    __tablename__ = "document_fingerprints"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentBand(Base):
    """One LSH band key of a fingerprint: documents sharing a key are near-copy candidates."""

    __tablename__ = "document_bands"
    __table_args__ = (Index("ix_document_bands_document_id", "document_id"),)

    band_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )


from monitor.db import models_alerts as _alerts  # noqa: E402,F401
from monitor.db import models_counts as _counts  # noqa: E402,F401
from monitor.db import models_desk as _desk  # noqa: E402,F401
