"""auth strikes: failed logins and API-key attempts, shared by every API process

Revision ID: 0078
Revises: 0076
Create Date: 2026-12-05

With several API workers (or machines) each process used to count failures on its own, so a
guesser spreading attempts over them waited less. The counts now live in the database too.
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0078'
down_revision: str | Sequence[str] | None = '0076'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'auth_strikes',
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('subject'),
    )
    op.create_index('ix_auth_strikes_last_failure_at', 'auth_strikes',
                    ['last_failure_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_auth_strikes_last_failure_at', table_name='auth_strikes')
    op.drop_table('auth_strikes')
