"""engagement read at: when a re-fetch last changed an item's engagement figures

Revision ID: 0076
Revises: 0072
Create Date: 2026-12-05

A re-fetched thread brings new scores, points and comment counts for items already stored;
they are written over the stored figures with the time they were read, which the priority's
engagement velocity is measured to. Existing items keep NULL: their figures were read when
they were discovered.
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0076'
down_revision: str | Sequence[str] | None = '0072'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Plain ADD COLUMN: SQLite keeps the table (and its search triggers).
    op.add_column('documents', sa.Column('engagement_read_at', sa.DateTime(timezone=True),
                                         nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    # Native DROP COLUMN: rebuilding documents on SQLite would lose its search triggers.
    op.drop_column('documents', 'engagement_read_at')
