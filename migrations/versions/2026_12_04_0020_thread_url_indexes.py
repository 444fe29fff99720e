"""thread url indexes

Revision ID: 0020
Revises: 0041
Create Date: 2026-12-04

Every fetch looks up the threads it touched by thread URL, in documents and in thread
watches; without these indexes each lookup scans both tables. A thread URL can be up to 2,000
characters, past the size of a Postgres B-tree entry, so Postgres gets hash indexes (equality
is the only lookup made on them).
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0020'
down_revision: str | Sequence[str] | None = '0041'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_documents_thread_url', 'documents', ['thread_url'],
                    postgresql_using='hash')
    op.create_index('ix_thread_watches_thread_url', 'thread_watches', ['thread_url'],
                    postgresql_using='hash')
    # Deleting a document sets its copies' link to NULL: without this, a scan per delete
    # (and a full-scan program compiled into every multi-row insert on SQLite). Partial: a
    # whole index of NULLs would tempt SQLite into driving listings from it ("IS NULL").
    op.create_index('ix_documents_duplicate_of_id', 'documents', ['duplicate_of_id'],
                    sqlite_where=sa.text('duplicate_of_id IS NOT NULL'),
                    postgresql_where=sa.text('duplicate_of_id IS NOT NULL'))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_documents_duplicate_of_id', table_name='documents')
    op.drop_index('ix_thread_watches_thread_url', table_name='thread_watches')
    op.drop_index('ix_documents_thread_url', table_name='documents')
