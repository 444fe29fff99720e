"""Brands and sources edited through the API.

Rows made here have ``from_config`` False, so the config-file sync at start-up leaves them be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Source
from monitor.db.repositories.sources import host_of
from monitor.errors import ConflictError, NotFoundError


@dataclass(frozen=True, slots=True)
class BrandChange:
    """Fields to set; None leaves a field as it is."""

    name: str | None = None
    query: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class SourceChange:
    name: str | None = None
    url: str | None = None
    kind: str | None = None
    interval: timedelta | None = None
    enabled: bool | None = None
    options: dict[str, str] | None = None


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_brand(self, brand_id: int) -> Brand:
        brand = self.session.get(Brand, brand_id)
        if brand is None:
            raise NotFoundError(f"no brand with id {brand_id}")
        return brand

    def create_brand(self, name: str, query: str, enabled: bool, now: datetime) -> Brand:
        brand = Brand(name=name, query=query, enabled=enabled, from_config=False,
                      created_at=now, updated_at=now)
        self._save(brand, lambda: f"a brand named {name!r} exists already")
        return brand

    def update_brand(self, brand_id: int, change: BrandChange, now: datetime) -> bool:
        """Apply ``change``; True when the brand's matching changed (query or re-enabled)."""
        brand = self.get_brand(brand_id)
        rematch = (change.query is not None and change.query != brand.query) or (
            change.enabled is True and not brand.enabled)
        _set_fields(brand, {"name": change.name, "query": change.query, "enabled": change.enabled})
        brand.updated_at = now
        self._save(brand, lambda: f"a brand named {change.name!r} exists already")
        return rematch

    def delete_brand(self, brand_id: int) -> None:
        brand = self.get_brand(brand_id)
        if brand.from_config:
            raise ConflictError(
                f"brand {brand.name!r} comes from the config file: remove it there, "
                "or disable it here")
        self.session.delete(brand)
        self.session.flush()

    def brand_by_name(self, name: str) -> Brand | None:
        return self.session.scalar(select(Brand).where(Brand.name == name))

    def create_source(self, name: str, url: str, kind: str | None, interval: timedelta,
                      enabled: bool, options: dict[str, str], now: datetime) -> Source:
        source = Source(name=name, url=url, host=host_of(url), kind=kind,
                        interval_s=int(interval.total_seconds()), enabled=enabled,
                        options=dict(options), from_config=False, next_check_at=now,
                        error_count=0, created_at=now)
        self._save(source, lambda: f"a source with the URL {url!r} exists already")
        return source

    def update_source(self, source_id: int, change: SourceChange, now: datetime) -> Source:
        source = self.get_source(source_id)
        fields: dict[str, Any] = {"name": change.name, "kind": change.kind,
                                  "enabled": change.enabled, "options": change.options}
        if change.url is not None and change.url != source.url:
            fields.update(url=change.url, host=host_of(change.url), etag=None,
                          last_modified=None)
        if change.interval is not None:
            fields["interval_s"] = int(change.interval.total_seconds())
        if (change.enabled is True and not source.enabled) or "url" in fields:
            fields["next_check_at"] = now  # a source switched on or moved is fetched soon
        _set_fields(source, fields)
        self._save(source, lambda: f"a source with the URL {change.url!r} exists already")
        return source

    def get_source(self, source_id: int) -> Source:
        source = self.session.get(Source, source_id)
        if source is None:
            raise NotFoundError(f"no source with id {source_id}")
        return source

    def delete_source(self, source_id: int) -> None:
        source = self.get_source(source_id)
        if source.from_config:
            raise ConflictError(
                f"source {source.url!r} comes from the config file: remove it there, "
                "or disable it here")
        self.session.delete(source)
        self.session.flush()

    def _save(self, row: Brand | Source, conflict: Callable[[], str]) -> None:
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            raise ConflictError(conflict()) from None


def _set_fields(row: Brand | Source, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if value is not None:
            setattr(row, key, value)
