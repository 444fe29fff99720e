"""What a running process holds: settings, the database engine, the session factory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.db.engine import build_engine, build_sessionmaker, unit_of_work
from monitor.db.migrate import is_up_to_date, upgrade_database
from monitor.db.repositories import BrandRepository, SourceRepository
from monitor.db.repositories.brands import BrandSpec
from monitor.db.repositories.sources import SourceSpec
from monitor.errors import DatabaseError


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def open_runtime(settings: Settings, *, auto_upgrade: bool = True) -> Runtime:
    """Connect to the database; an embedded SQLite is upgraded on its own, Postgres is checked."""
    engine = build_engine(settings.database.url, echo=settings.database.echo)
    if engine.dialect.name == "sqlite" and auto_upgrade:
        upgrade_database(engine)
    elif not is_up_to_date(engine):
        raise DatabaseError(
            "the database schema is not up to date: run `monitor db upgrade` first"
        )
    return Runtime(settings, engine, build_sessionmaker(engine))


def sync_config(runtime: Runtime, now: datetime | None = None) -> None:
    """Make the stored brands and sources match the config file."""
    now = now or datetime.now(UTC)
    settings = runtime.settings
    with unit_of_work(runtime.sessions) as session:
        BrandRepository(session).sync_from_config(
            [BrandSpec(b.name, b.query) for b in settings.brands], now
        )
        SourceRepository(session).sync_from_config(
            [SourceSpec(s.name, s.url, s.kind, s.interval, s.enabled, s.options)
             for s in settings.sources],
            now,
        )
