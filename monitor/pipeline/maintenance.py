"""Periodic upkeep of the database itself."""

from __future__ import annotations

from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.runtime import Runtime


def refresh_statistics(runtime: Runtime) -> None:
    """Fresh planner statistics, so listings keep using their indexes as the store grows."""
    with runtime.engine.begin() as connection:
        refresh_planner_statistics(connection)
