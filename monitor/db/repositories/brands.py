"""Brands: the configured ones are kept in step with the config file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.models import Brand
from monitor.db.repositories.claims import lock_until_transaction_ends


@dataclass(frozen=True, slots=True)
class BrandSpec:
    name: str
    query: str


@dataclass(frozen=True, slots=True)
class BrandSync:
    """What a config sync changed; brands whose query changed need re-matching."""

    created: list[int]
    changed: list[int]
    disabled: list[int]


# The advisory lock ("bmcf") under which a process stores the config's brands and sources.
CONFIG_SYNC_LOCK_KEY = 0x626D6366


class BrandRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_config_sync(self) -> None:
        """Until the transaction ends, no other process stores the config (Postgres; SQLite's
        write lock already serialises). Workers and the API start together and each stores
        the config: without it, two inserted the same new brand and one stopped on the
        unique name."""
        lock_until_transaction_ends(self.session, CONFIG_SYNC_LOCK_KEY)

    def list_all(self, *, enabled_only: bool = False) -> list[Brand]:
        query = select(Brand).order_by(Brand.name)
        if enabled_only:
            query = query.where(Brand.enabled.is_(True))
        return list(self.session.scalars(query))

    def get_by_name(self, name: str) -> Brand | None:
        return self.session.scalar(select(Brand).where(Brand.name == name))

    def sync_from_config(self, specs: Sequence[BrandSpec], now: datetime) -> BrandSync:
        existing = {b.name: b for b in self.session.scalars(select(Brand))}
        created: list[Brand] = []
        changed: list[int] = []
        for spec in specs:
            brand = existing.pop(spec.name, None)
            if brand is None:
                brand = Brand(name=spec.name, query=spec.query, from_config=True, created_at=now,
                              updated_at=now)
                self.session.add(brand)
                created.append(brand)
            elif brand.query != spec.query or not brand.enabled:
                brand.query, brand.enabled, brand.updated_at = spec.query, True, now
                changed.append(brand.id)
        disabled = [b.id for b in existing.values() if b.from_config and b.enabled]
        for brand in existing.values():
            if brand.from_config:
                brand.enabled = False
        self.session.flush()
        return BrandSync([b.id for b in created], changed, disabled)
