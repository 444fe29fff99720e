"""Make the stored brands and sources match the config file, re-matching changed brands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.db.engine import unit_of_work
from monitor.db.repositories import BrandRepository, SourceRepository
from monitor.db.repositories.brands import BrandSpec
from monitor.db.repositories.sources import SourceSpec
from monitor.pipeline.rematch import rematch_brand
from monitor.runtime import Runtime


@dataclass(frozen=True, slots=True)
class ConfigSyncPlan:
    sources_disabled: list[str]  # names of enabled sources the config no longer lists
    sources_enabled_now: int

    @property
    def disables_every_source(self) -> bool:
        return bool(self.sources_disabled) and (
            len(self.sources_disabled) == self.sources_enabled_now
        )


def plan_config_sync(runtime: Runtime) -> ConfigSyncPlan:
    """What storing the config would switch off, so a wrong config can be refused first."""
    listed = {s.url for s in runtime.settings.sources}
    with runtime.reads() as session:
        enabled = SourceRepository(session).list_enabled()
    dropped = [s.name for s in enabled if s.from_config and s.url not in listed]
    return ConfigSyncPlan(dropped, len(enabled))


def sync_config(runtime: Runtime, now: datetime | None = None) -> None:
    """Store the config's brands and sources; a new or edited brand is matched on past documents."""
    now = now or datetime.now(UTC)
    settings = runtime.settings
    with unit_of_work(runtime.sessions) as session:
        BrandRepository(session).lock_config_sync()
        brands = BrandRepository(session).sync_from_config(
            [BrandSpec(b.name, b.query) for b in settings.brands], now
        )
        sources = SourceRepository(session)
        sources.sync_from_config(
            [SourceSpec(s.name, s.url, s.kind, s.interval, s.enabled, s.options)
             for s in settings.sources],
            now,
        )
        if brands.created or brands.changed:
            sources.make_due("search", now)  # the new query's back-fill starts at once
    for brand_id in [*brands.created, *brands.changed]:
        rematch_brand(runtime, brand_id, now=now)
