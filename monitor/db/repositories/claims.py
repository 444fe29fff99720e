"""Claims with a lease: how workers share sources, threads and deliveries without overlap.

A claim names its holder (``host:pid:token``) and lasts until ``claimed_until``. The holder's
heartbeat keeps pushing that time forward while it works, so the lease can be short: a holder
that dies stops heart-beating and its claims fall free about one lease later. On Postgres the
candidate rows are locked with ``FOR UPDATE SKIP LOCKED``, so two workers claiming at the same
moment never take the same row; SQLite's write lock serialises claims on its own.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine, or_, select, text, update
from sqlalchemy.orm import Session

from monitor.db.models import Source, ThreadWatch
from monitor.db.models_alerts import Delivery

Row = TypeVar("Row", Source, ThreadWatch, Delivery)
CLAIMABLE: tuple[type[Source] | type[ThreadWatch] | type[Delivery], ...] = (
    Source, ThreadWatch, Delivery,
)
SINGLETON_NAMESPACE = "brand-monitor/"


@dataclass(frozen=True, slots=True)
class ClaimTerms:
    """Who claims, and for how long a claim lasts without a heartbeat."""

    holder: str
    lease: timedelta


def claim_rows(
    session: Session, model: type[Row], conditions: Sequence[Any], order_by: Sequence[Any],
    *, limit: int, now: datetime, terms: ClaimTerms,
    pick: Callable[[list[Row]], list[Row]] | None = None,
) -> list[Row]:
    """Claim up to ``limit`` unclaimed (or expired) rows matching ``conditions``.

    ``pick`` chooses among the candidates (e.g. a per-host cap); the rows it leaves are not
    claimed. Returns the claimed rows, flushed.
    """
    query = select(model).where(*conditions, claim_is_free(model, now))
    query = query.order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    candidates = list(session.scalars(query))
    claimed = pick(candidates) if pick else candidates
    for row in claimed:
        row.claimed_until, row.claimed_by = now + terms.lease, terms.holder
    session.flush()
    return claimed


def claim_is_free(model: type[Source] | type[ThreadWatch] | type[Delivery], now: datetime
                  ) -> Any:
    return or_(model.claimed_until.is_(None), model.claimed_until <= now)


def release_claim(row: Source | ThreadWatch | Delivery) -> None:
    """The work is recorded: the row is free for whoever finds it due next."""
    row.claimed_until, row.claimed_by = None, None


class ClaimRepository:
    """Claims across every claimable table, by holder."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def extend(self, holder: str, until: datetime) -> int:
        """The heartbeat: the holder's claims last until ``until`` (never shortened)."""
        extended = 0
        for model in CLAIMABLE:
            result = self.session.execute(
                update(model).where(model.claimed_by == holder, model.claimed_until < until)
                .values(claimed_until=until).execution_options(synchronize_session=False))
            extended += _rowcount(result)
        return extended

    def release(self, holders: Sequence[str]) -> int:
        """Free every claim of ``holders`` (the holder stopped, or is known dead)."""
        if not holders:
            return 0
        released = 0
        for model in CLAIMABLE:
            result = self.session.execute(
                update(model).where(model.claimed_by.in_(list(holders)))
                .values(claimed_until=None, claimed_by=None)
                .execution_options(synchronize_session=False))
            released += _rowcount(result)
        return released

    def holders_on(self, host: str) -> set[str]:
        """Holders of current claims whose identity names ``host``."""
        found: set[str] = set()
        for model in CLAIMABLE:
            found.update(self.session.scalars(
                select(model.claimed_by).distinct().where(model.claimed_by.like(f"{host}:%"))))
        return {h for h in found if h}


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def singleton_key(name: str) -> int:
    """A stable 32-bit advisory-lock key for a job name."""
    return zlib.crc32((SINGLETON_NAMESPACE + name).encode())


def lock_until_transaction_ends(session: Session, key: int) -> None:
    """Wait for the Postgres advisory lock ``key``, then hold it until the session's
    transaction ends; nothing on SQLite, whose write lock already serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def hold_singleton(engine: Engine, name: str) -> Iterator[bool]:
    """Yields True if this process may run the singleton job ``name`` now, False if another
    process is running it. On Postgres a session advisory lock on a dedicated connection is
    held for the whole block (and dropped by the server if the process dies); on SQLite, which
    one process owns, the job always runs."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = singleton_key(name)
    with engine.connect() as connection:
        taken = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        connection.commit()
        try:
            yield taken
        finally:
            if taken:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
