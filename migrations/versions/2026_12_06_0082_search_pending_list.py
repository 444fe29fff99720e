"""the full-text index keeps a short pending list (Postgres)

Revision ID: 0082
Revises: 0081
Create Date: 2026-12-06

A GIN index puts new entries in a pending list that every search reads whole, until a vacuum
or an insert that finds the list over gin_pending_list_limit (4 MB by default) merges it into
the index. Documents arrive all day and autovacuum visits a large table rarely (after a fifth
of it is new), so searches kept reading up to 4 MB of pending entries. With the 323 pending
pages that 20,000 seeded documents left, a word search took 6.2 ms against 1.6 ms at the
256 kB limit (3 pages), and under a load of mixed reads while collection wrote, it was the
server's most frequent active statement. At 256 kB an insert merges the list sixteen times
as often, for about the same work in all (ingest measured no slower). SQLite's FTS5 index
has no such list.
"""
from collections.abc import Sequence

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0082'
down_revision: str | Sequence[str] | None = '0081'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING_LIST_KB = 256


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('ALTER INDEX ix_documents_search '
               f'SET (gin_pending_list_limit = {PENDING_LIST_KB})')
    op.execute("SELECT gin_clean_pending_list('ix_documents_search')")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER INDEX ix_documents_search RESET (gin_pending_list_limit)')
