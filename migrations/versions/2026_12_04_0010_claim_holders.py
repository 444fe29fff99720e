"""claim holders: who holds each claimed source, thread and delivery

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-04

"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('sources', 'thread_watches', 'deliveries')


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_claimed_by'), ['claimed_by'],
                                  unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_claimed_by'))
            batch_op.drop_column('claimed_by')
