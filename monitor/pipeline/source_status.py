"""Each source's health as the CLI and the collect summary show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.db.models import Source
from monitor.db.repositories import SourceRepository
from monitor.domain.source_health import compute_source_health, is_backing_off
from monitor.runtime import Runtime


@dataclass(frozen=True, slots=True)
class SourceStatus:
    id: int
    name: str
    kind: str | None
    health: str
    last_fetched_at: datetime | None
    last_status: str | None
    last_error: str | None
    error_count: int
    next_check_at: datetime
    backing_off: bool


def load_source_statuses(runtime: Runtime, now: datetime) -> list[SourceStatus]:
    with runtime.reads() as session:
        return [_status(source, now) for source in SourceRepository(session).list_all()]


def _status(source: Source, now: datetime) -> SourceStatus:
    return SourceStatus(
        id=source.id, name=source.name, kind=source.kind,
        health=compute_source_health(source.enabled, source.last_fetched_at, source.error_count),
        last_fetched_at=source.last_fetched_at, last_status=source.last_status,
        last_error=source.last_error, error_count=source.error_count,
        next_check_at=source.next_check_at,
        backing_off=is_backing_off(source.enabled, source.error_count, source.next_check_at,
                                   now),
    )
