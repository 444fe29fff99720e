"""Planner statistics: without them both backends pick plans that read whole tables.

SQLite never gathers statistics on its own; Postgres's autovacuum does, but only after a
table has changed by a fraction of its size, which a freshly migrated or bulk-loaded store
has not reached, and it looks once a minute. Until then, plans Postgres keeps for the session
(the count triggers' lookups of documents, foreign-key checks) were made for the size it last
saw: an empty table, read whole for every row stored once it holds thousands.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# A table has outgrown what the planner knows of it once it holds twice the rows last counted,
# and at least this many: a young store's tables are counted as they double (a dozen times up
# to a million rows); a grown one is left to autovacuum, which looks sooner.
OUTGROWN_MIN_ROWS = 1_000

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


def find_outgrown_tables(connection: Connection, least: int | None = None) -> dict[str, str]:
    """The Postgres tables of the current schema that have outgrown what the planner knows
    (see ``OUTGROWN_MIN_ROWS``), each with its first column; none on SQLite, whose plans are
    made afresh for each statement."""
    if connection.dialect.name != "postgresql":
        return {}
    rows = connection.execute(text(
        # The live-row counter alone, not pg_stat_user_tables: the view computes a score of
        # counters for every table (1.3 ms against 0.4).
        "SELECT c.relname, a.attname FROM pg_class AS c "
        "JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = 1 AND NOT a.attisdropped "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
        "AND pg_stat_get_live_tuples(c.oid) >= greatest(:least, 2 * c.reltuples) "
        "ORDER BY c.relname"),
        {"least": OUTGROWN_MIN_ROWS if least is None else least})
    return {table: column for table, column in rows}


def count_tables(connection: Connection, tables: dict[str, str]) -> None:
    """Let the Postgres planner know the size of ``tables`` (name → a column), which is what
    plans made for a smaller table got wrong, and invalidate those plans. Statistics of one
    column are gathered with it, in milliseconds; the whole table's, with the full-text
    index's expression computed for every sampled document, took seconds. A table another
    process is analysing is skipped rather than waited for."""
    quote = connection.dialect.identifier_preparer.quote
    listed = ", ".join(f"{quote(table)} ({quote(column)})" for table, column in tables.items())
    connection.execute(text(f"ANALYZE (SKIP_LOCKED) {listed}"))
