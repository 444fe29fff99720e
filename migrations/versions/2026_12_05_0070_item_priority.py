"""item priority: what to read first, scored per item and copied to its mentions

Revision ID: 0070
Revises: 0020
Create Date: 2026-12-05

Each item (document) gets its priority points and reason labels (monitor/domain/priority.py);
its mentions get a copy of the points to sort and page by, indexed like engagement. Existing
items are scored here, in batches.
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


# revision identifiers, used by Alembic.
revision: str = '0070'
down_revision: str | Sequence[str] | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    """Upgrade schema."""
    # Plain ADD COLUMN with a default: SQLite keeps the tables (and the search triggers).
    op.add_column('documents', sa.Column('priority', sa.Integer(), nullable=False,
                                         server_default='0'))
    op.add_column('documents', sa.Column('priority_reasons', sa.JSON(), nullable=False,
                                         server_default='[]'))
    op.add_column('mentions', sa.Column('priority', sa.Integer(), nullable=False,
                                        server_default='0'))
    op.create_index('ix_mentions_priority', 'mentions', ['priority', 'id'], unique=False)
    op.create_index('ix_mentions_item_priority', 'mentions', ['priority', 'document_id'],
                    unique=False)
    _backfill()


def _backfill() -> None:
    # The rescoring the application runs; it reads and writes only columns that exist at
    # this revision, so later migrations do not change what it sees here.
    from monitor.db.repositories.priorities import PriorityRepository

    connection = op.get_bind()
    session = Session(bind=connection)
    mentions = sa.table('mentions', sa.column('document_id', sa.Integer))
    ids = sorted(connection.execute(sa.select(mentions.c.document_id).distinct()).scalars())
    repository = PriorityRepository(session, reread_engagement=False)
    for start in range(0, len(ids), BATCH):
        repository.refresh(ids[start:start + BATCH])
    session.flush()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_mentions_item_priority', table_name='mentions')
    op.drop_index('ix_mentions_priority', table_name='mentions')
    # Native DROP COLUMN: rebuilding documents on SQLite would lose its search triggers.
    op.drop_column('mentions', 'priority')
    op.drop_column('documents', 'priority_reasons')
    op.drop_column('documents', 'priority')
