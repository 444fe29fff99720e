"""What a running process holds: settings, the database engine, the session factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from collectors.robots import RulesByOrigin
from monitor.claims import ClaimKeeper
from monitor.config import DatabaseSettings, Settings
from monitor.db.engine import (
    EngineLimits,
    build_engine,
    build_no_wait_sessionmaker,
    build_read_sessionmaker,
    build_sessionmaker,
)
from monitor.db.migrate import is_up_to_date, upgrade_database
from monitor.db.repositories.claims import ClaimTerms
from monitor.errors import DatabaseError


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keeper: ClaimKeeper = field(default_factory=ClaimKeeper)
    # Built once: every request opens sessions from these.
    _reads: sessionmaker[Session] = field(init=False, repr=False, compare=False)
    _optional_writes: sessionmaker[Session] = field(init=False, repr=False, compare=False)

    # robots.txt rules kept from one collect cycle to the next, each until its own expiry:
    # a cycle would otherwise ask every site for its robots.txt again, a request per host.
    robots_rules: RulesByOrigin = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_reads", build_read_sessionmaker(self.engine))
        object.__setattr__(self, "_optional_writes", build_no_wait_sessionmaker(self.engine))

    @property
    def reads(self) -> sessionmaker[Session]:
        """Sessions that only read (on SQLite: no write lock taken or awaited)."""
        return self._reads

    @property
    def optional_writes(self) -> sessionmaker[Session]:
        """Sessions for writes that may be skipped (on SQLite: never wait for the lock)."""
        return self._optional_writes

    @property
    def claim_terms(self) -> ClaimTerms:
        """How this process claims work: as its own holder, for the configured lease."""
        return ClaimTerms(self.keeper.holder, self.settings.workers.lease)

    def keep_claims_alive(self, on_beat: Callable[[], None] | None = None) -> None:
        """For processes that claim work: free dead processes' claims, renew our own."""
        self.keeper.start(self.sessions, self.settings.workers.lease, on_beat)

    def dispose(self) -> None:
        self.keeper.stop(self.sessions)
        self.engine.dispose()


def open_runtime(settings: Settings, *, auto_upgrade: bool = True) -> Runtime:
    """Connect to the database; an embedded SQLite is upgraded on its own, Postgres is checked."""
    engine = build_engine(settings.database.url, echo=settings.database.echo,
                          limits=engine_limits(settings.database))
    if engine.dialect.name == "sqlite" and auto_upgrade:
        upgrade_database(engine)  # which also refreshes the planner's statistics
    elif not is_up_to_date(engine):
        raise DatabaseError(
            "the database schema is not up to date: run `monitor db upgrade` first"
        )
    return Runtime(settings, engine, build_sessionmaker(engine))


def engine_limits(database: DatabaseSettings) -> EngineLimits:
    statement = database.statement_timeout.total_seconds()
    return EngineLimits(
        pool_size=database.pool_size, max_overflow=database.max_overflow,
        pool_timeout=database.pool_timeout.total_seconds(),
        busy_timeout=database.busy_timeout.total_seconds(),
        statement_timeout=statement,
        connect_timeout=database.connect_timeout.total_seconds(),
        # The server cancels a statement at statement_timeout; silence for as long again
        # (2 s at least) means nobody is answering.
        unanswered_after=statement + max(2.0, statement),
    )
