"""Periodic upkeep of the database itself."""

from __future__ import annotations

from monitor.db.repositories.maintenance import (
    count_tables,
    find_outgrown_tables,
    refresh_planner_statistics,
)
from monitor.runtime import Runtime


def refresh_statistics(runtime: Runtime) -> None:
    """Fresh planner statistics, so listings keep using their indexes as the store grows."""
    with runtime.engine.begin() as connection:
        refresh_planner_statistics(connection)


def refresh_outgrown_statistics(runtime: Runtime) -> list[str]:
    """Let the planner know the size of the tables that have outgrown what it knew (Postgres),
    as storing does after each batch; returns those tables."""
    if runtime.engine.dialect.name != "postgresql":
        return []
    with runtime.engine.begin() as connection:
        tables = find_outgrown_tables(connection)
        if tables:
            count_tables(connection, tables)
    return list(tables)
