"""Figures for ``/metrics``, counted from the database at scrape time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Document, Mention, Source, ThreadWatch
from monitor.db.models_alerts import Alert, Delivery


@dataclass(slots=True)
class Figures:
    sources_by_health: dict[str, int] = field(default_factory=dict)
    sources_by_last_status: dict[str, int] = field(default_factory=dict)  # the last fetch's
    source_errors: int = 0  # consecutive failures, summed over sources
    last_fetch_at: datetime | None = None
    queue_lag_seconds: float = 0.0  # how late the most overdue enabled source is
    documents: int = 0
    mentions: dict[tuple[str, ...], int] = field(default_factory=dict)  # (brand, label)
    inbox: dict[str, int] = field(default_factory=dict)  # stored state → count
    threads_followed: int = 0
    alerts: dict[tuple[str, ...], int] = field(default_factory=dict)  # (state, severity)
    deliveries: dict[tuple[str, ...], int] = field(default_factory=dict)  # (channel, status)


class MetricsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def load_figures(self, now: datetime) -> Figures:
        figures = Figures()
        self._sources(figures, now)
        figures.documents = self.session.scalar(select(func.count(Document.id))) or 0
        label = func.coalesce(Mention.sentiment_override, Mention.sentiment_label)
        rows = self.session.execute(
            select(Brand.name, label, func.count(Mention.id))
            .join(Brand, Mention.brand_id == Brand.id).group_by(Brand.name, label))
        figures.mentions = {(brand, lab): n for brand, lab, n in rows}
        listed = exists().where(Mention.document_id == Document.id)
        states = (select(Document.state, func.count(Document.id)).where(listed)
                  .group_by(Document.state))
        figures.inbox = {state: count for state, count in self.session.execute(states)}
        figures.threads_followed = self.session.scalar(
            select(func.count(ThreadWatch.id)).where(ThreadWatch.follow_until > now)) or 0
        figures.alerts = self._grouped(Alert.state, Alert.severity)
        figures.deliveries = self._grouped(Delivery.channel, Delivery.status)
        return figures

    def _sources(self, figures: Figures, now: datetime) -> None:
        for source in self.session.scalars(select(Source)):
            health = ("disabled" if not source.enabled else "pending"
                      if source.last_fetched_at is None else
                      "failing" if source.error_count else "ok")
            figures.sources_by_health[health] = figures.sources_by_health.get(health, 0) + 1
            status = source.last_status or "never"
            figures.sources_by_last_status[status] = (
                figures.sources_by_last_status.get(status, 0) + 1)
            figures.source_errors += source.error_count
            if source.last_fetched_at and (figures.last_fetch_at is None
                                           or source.last_fetched_at > figures.last_fetch_at):
                figures.last_fetch_at = source.last_fetched_at
            if source.enabled and source.next_check_at < now:
                lag = (now - source.next_check_at).total_seconds()
                figures.queue_lag_seconds = max(figures.queue_lag_seconds, lag)

    def _grouped(self, *columns: Any) -> dict[tuple[str, ...], int]:
        first = columns[0]
        query = select(*columns, func.count()).select_from(first.class_).group_by(*columns)
        return {tuple(str(v) for v in row[:-1]): row[-1] for row in self.session.execute(query)}
