"""source fetch cursor: a collector's own bookmark (search high-water marks)

Revision ID: 0060
Revises: 0010
Create Date: 2026-12-04

"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0060'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('sources') as batch_op:
        batch_op.add_column(sa.Column('fetch_cursor', sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('sources') as batch_op:
        batch_op.drop_column('fetch_cursor')
