"""Dialect-specific INSERT … ON CONFLICT DO NOTHING, the same on SQLite and Postgres."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

BATCH_SIZE = 500
T = TypeVar("T")


def insert_ignoring_conflicts(session: Session, table: Table) -> Any:
    """An INSERT that skips rows violating a unique constraint, for the session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def batched(rows: Sequence[T], size: int = BATCH_SIZE) -> list[list[T]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)]
