"""document fingerprints

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('document_bands',
    sa.Column('band_key', sa.String(length=40), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band_key', 'document_id')
    )
    op.create_table('document_fingerprints',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id')
    )
    with op.batch_alter_table('document_bands', schema=None) as batch_op:
        batch_op.create_index('ix_document_bands_document_id', ['document_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('document_fingerprints')
    op.drop_table('document_bands')
