"""triage on the item: state, tags and notes move from mentions to documents

Revision ID: 0040
Revises: 0060
Create Date: 2026-12-04

A comment naming two brands is one thing to answer, so its state, tags and notes belong to
the document. Existing triage is carried over: the document takes the state its mentions were
most recently given, the union of their tags and every note.
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0040'
down_revision: str | Sequence[str] | None = '0060'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LATEST = ("(SELECT m.{column} FROM mentions m WHERE m.document_id = documents.id "
           "ORDER BY CASE WHEN m.state_changed_at IS NULL THEN 1 ELSE 0 END, "
           "m.state_changed_at DESC, m.id LIMIT 1)")


def upgrade() -> None:
    """Upgrade schema."""
    # Plain ADD COLUMN (no foreign key): SQLite keeps the table, and the search triggers on it.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=False,
                                      server_default='new'))
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('state_changed_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table('item_tags',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'tag')
    )
    op.create_index('ix_item_tags_tag', 'item_tags', ['tag', 'document_id'], unique=False)
    op.create_table('item_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_item_notes_document_id', 'item_notes', ['document_id'], unique=False)
    _carry_triage_to_items()
    op.drop_index('ix_mention_tags_tag', table_name='mention_tags')
    op.drop_table('mention_tags')
    op.drop_index('ix_mention_notes_mention_id', table_name='mention_notes')
    op.drop_table('mention_notes')
    # Native DROP COLUMN (SQLite 3.35+): no table rebuild.
    for column in ('state_changed_at', 'snoozed_until', 'state'):
        op.drop_column('mentions', column)
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        # The inbox walks mentions in (sort key, document) order to list each item once.
        batch_op.create_index('ix_mentions_item_sort', ['sort_at', 'document_id'], unique=False)
        batch_op.create_index('ix_mentions_brand_item_sort', ['brand_id', 'sort_at',
                                                              'document_id'], unique=False)
        batch_op.create_index('ix_mentions_item_engagement', ['engagement', 'document_id'],
                              unique=False)


def _carry_triage_to_items() -> None:
    has_mentions = "EXISTS (SELECT 1 FROM mentions m WHERE m.document_id = documents.id)"
    op.execute(
        f"UPDATE documents SET state = {_LATEST.format(column='state')}, "
        f"snoozed_until = {_LATEST.format(column='snoozed_until')}, "
        f"state_changed_at = {_LATEST.format(column='state_changed_at')} "
        f"WHERE {has_mentions}")
    op.execute(
        "INSERT INTO item_tags (document_id, tag) SELECT DISTINCT m.document_id, t.tag "
        "FROM mention_tags t JOIN mentions m ON m.id = t.mention_id")
    op.execute(
        "INSERT INTO item_notes (document_id, author, body, created_at) "
        "SELECT m.document_id, n.author, n.body, n.created_at "
        "FROM mention_notes n JOIN mentions m ON m.id = n.mention_id ORDER BY n.id")


def downgrade() -> None:
    """Downgrade schema: every mention takes its document's triage again."""
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_item_engagement')
        batch_op.drop_index('ix_mentions_brand_item_sort')
        batch_op.drop_index('ix_mentions_item_sort')
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=False,
                                      server_default='new'))
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('state_changed_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.execute(
        "UPDATE mentions SET state = (SELECT d.state FROM documents d WHERE d.id = "
        "mentions.document_id), snoozed_until = (SELECT d.snoozed_until FROM documents d "
        "WHERE d.id = mentions.document_id), state_changed_at = (SELECT d.state_changed_at "
        "FROM documents d WHERE d.id = mentions.document_id)")
    op.create_table('mention_tags',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', 'tag')
    )
    op.create_index('ix_mention_tags_tag', 'mention_tags', ['tag', 'mention_id'], unique=False)
    op.create_table('mention_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_mention_notes_mention_id', 'mention_notes', ['mention_id'], unique=False)
    op.execute(
        "INSERT INTO mention_tags (mention_id, tag) SELECT m.id, t.tag "
        "FROM item_tags t JOIN mentions m ON m.document_id = t.document_id")
    op.execute(
        "INSERT INTO mention_notes (mention_id, author, body, created_at) "
        "SELECT (SELECT min(m.id) FROM mentions m WHERE m.document_id = n.document_id), "
        "n.author, n.body, n.created_at FROM item_notes n WHERE EXISTS "
        "(SELECT 1 FROM mentions m WHERE m.document_id = n.document_id) ORDER BY n.id")
    op.drop_index('ix_item_notes_document_id', table_name='item_notes')
    op.drop_table('item_notes')
    op.drop_index('ix_item_tags_tag', table_name='item_tags')
    op.drop_table('item_tags')
    # Native DROP COLUMN: rebuilding documents on SQLite would lose its search triggers.
    for column in ('state_changed_at', 'snoozed_until', 'state'):
        op.drop_column('documents', column)
