"""Planner statistics: without them both backends pick plans that read whole tables.

SQLite never gathers statistics on its own; Postgres's autovacuum does, but only after a
table has changed by a fraction of its size, which a freshly migrated or bulk-loaded store
has not reached.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Rows SQLite samples per index. Much smaller samples misjudge an index on a column that is
# NULL in nearly every row (mentions.hidden_by_id) as selective, and the planner then sorts the
# whole table for each page; this many keeps ANALYZE of a million-row table to about a second.
SQLITE_ANALYSIS_LIMIT = 50_000


def refresh_planner_statistics(connection: Connection) -> None:
    """Gather fresh statistics for every table (in the caller's transaction on Postgres)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
        connection.execute(text("ANALYZE"))
        connection.execute(text("PRAGMA optimize"))
    else:
        connection.execute(text("ANALYZE"))
