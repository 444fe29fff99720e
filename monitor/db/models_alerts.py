"""Alerts and the outbox of their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.db.models import Base, utcnow


class Alert(Base):
    """One episode: opened by a detection, updated while it lasts, never one per mention."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_created", "created_at", "id"),
        Index("ix_alerts_episode", "kind", "brand_id", "subject_id", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    subject_id: Mapped[int | None]  # the rule's index or the source's id, by kind
    subject: Mapped[str] = mapped_column(String(200))  # brand, rule or source name
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default="open")
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    mention_count: Mapped[int] = mapped_column(Integer, default=0)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notifications: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class Delivery(Base):
    """One message to send on one channel; the key makes enqueueing it twice a no-op."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))  # slack | webhook | email
    severity: Mapped[str] = mapped_column(String(10), default="info")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200), index=True)
    last_status_code: Mapped[int | None]
    last_response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
