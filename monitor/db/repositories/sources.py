"""Sources and their fetch state; several workers claim due sources without overlap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Source
from monitor.db.repositories.claims import ClaimTerms, claim_rows, release_claim
from monitor.errors import NotFoundError

MAX_ERROR_CHARS = 2000


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    url: str
    kind: str | None
    interval: timedelta
    enabled: bool = True
    options: dict[str, str] = field(default_factory=dict)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class SourceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, source_id: int) -> Source:
        source = self.session.get(Source, source_id)
        if source is None:
            raise NotFoundError(f"no source with id {source_id}")
        return source

    def list_all(self) -> list[Source]:
        return list(self.session.scalars(select(Source).order_by(Source.id)))

    def list_enabled(self) -> list[Source]:
        return list(self.session.scalars(select(Source).where(Source.enabled.is_(True))))

    def sync_from_config(self, specs: Sequence[SourceSpec], now: datetime) -> None:
        """Create or update the configured sources; disable configured ones no longer listed."""
        existing = {s.url: s for s in self.session.scalars(select(Source))}
        for spec in specs:
            source = existing.pop(spec.url, None)
            if source is None:
                self.session.add(_new_source(spec, now))
            else:
                _apply_spec(source, spec)
        for source in existing.values():
            if source.from_config:
                source.enabled = False
        self.session.flush()

    def claim_due(
        self, now: datetime, *, limit: int, per_host: int, terms: ClaimTerms, include_all: bool
    ) -> list[Source]:
        """Take up to ``limit`` due sources (at most ``per_host`` per host) for this worker."""
        conditions: list[Any] = [Source.enabled.is_(True)]
        if not include_all:
            conditions.append(Source.next_check_at <= now)
        return claim_rows(
            self.session, Source, conditions, (Source.next_check_at, Source.id),
            limit=limit * 4, now=now, terms=terms,
            pick=lambda candidates: _cap_per_host(candidates, limit, per_host),
        )

    def make_all_due(self, now: datetime) -> int:
        """Make every enabled source not claimed by a worker due at ``now``; returns how many
        were not due yet."""
        result = self.session.execute(
            update(Source).where(
                Source.enabled.is_(True), Source.next_check_at > now,
                or_(Source.claimed_until.is_(None), Source.claimed_until <= now),
            ).values(next_check_at=now).execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def release(self, source_id: int) -> None:
        """Give back a claimed source without fetching it."""
        release_claim(self.get(source_id))
        self.session.flush()

    def record_success(
        self, source_id: int, *, now: datetime, status: str, etag: str | None,
        last_modified: str | None, next_check_at: datetime, kind: str | None,
        cursor: str | None = None,
    ) -> None:
        source = self.get(source_id)
        source.fetch_cursor = cursor
        source.etag = fit_validator(etag, 500)
        source.last_modified = fit_validator(last_modified, 100)
        source.kind = source.kind or kind
        _finish(source, now, status, next_check_at)
        source.last_error, source.error_count = None, 0
        source.last_success_at = now
        self.session.flush()

    def record_failure(
        self, source_id: int, *, now: datetime, status: str, error: str, next_check_at: datetime
    ) -> None:
        source = self.get(source_id)
        _finish(source, now, status, next_check_at)
        source.last_error = error[:MAX_ERROR_CHARS]
        source.error_count += 1
        self.session.flush()

    def make_due(self, kind: str, now: datetime) -> int:
        """Enabled sources of ``kind`` are due at once (a brand's new query to search for)."""
        sources = list(self.session.scalars(
            select(Source).where(Source.kind == kind, Source.enabled.is_(True))))
        for source in sources:
            source.next_check_at = min(source.next_check_at, now)
        self.session.flush()
        return len(sources)

    def list_urls(self) -> list[str]:
        return list(self.session.scalars(select(Source.url)))

    def add_many(self, specs: Sequence[SourceSpec], now: datetime) -> int:
        """Add sources made outside the config file (an import), due at once."""
        rows = [{
            "name": spec.name, "url": spec.url, "host": host_of(spec.url), "kind": spec.kind,
            "interval_s": int(spec.interval.total_seconds()), "enabled": spec.enabled,
            "options": dict(spec.options), "from_config": False, "next_check_at": now,
            "error_count": 0, "created_at": now,
        } for spec in specs]
        if rows:  # one multi-row INSERT per batch, not one ORM object per feed
            self.session.execute(insert(Source), rows)
        return len(rows)


def fit_validator(value: str | None, limit: int) -> str | None:
    """A cut validator would never match: drop an oversized one (the next fetch is plain)."""
    return value if value and len(value) <= limit else None


def _finish(source: Source, now: datetime, status: str, next_check_at: datetime) -> None:
    source.last_fetched_at, source.last_status = now, status
    source.next_check_at = next_check_at
    release_claim(source)


def _cap_per_host(candidates: list[Source], limit: int, per_host: int) -> list[Source]:
    taken: list[Source] = []
    per_host_count: dict[str, int] = {}
    for source in candidates:
        count = per_host_count.get(source.host, 0)
        if count < per_host and len(taken) < limit:
            taken.append(source)
            per_host_count[source.host] = count + 1
    return taken


def _new_source(spec: SourceSpec, now: datetime) -> Source:
    source = Source(url=spec.url, host=host_of(spec.url), from_config=True, next_check_at=now,
                    error_count=0, created_at=now)
    _apply_spec(source, spec)
    return source


def _apply_spec(source: Source, spec: SourceSpec) -> None:
    values: dict[str, Any] = {
        "name": spec.name, "kind": spec.kind or source.kind,
        "interval_s": int(spec.interval.total_seconds()),
        "enabled": spec.enabled, "options": dict(spec.options),
    }
    for key, value in values.items():
        setattr(source, key, value)
