"""desk: inbox triage, exclusions, saved views, sessions, full-text search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Full-text search is dialect-specific: an external-content FTS5 table kept in step by triggers
on SQLite, a GIN index over a tsvector expression on Postgres (the queries in
monitor/db/repositories/search.py use the very same expression, so the index serves them).
"""
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENGAGEMENT_KEYS = ("score", "points", "comments", "replies")

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN "
    "INSERT INTO documents_fts(documents_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
]
POSTGRES_FTS = [
    "CREATE INDEX ix_documents_search ON documents USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, '')))",
]


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table('desk_visits',
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('previous_visit_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('principal')
    )
    op.create_table('saved_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner', 'name', name='uq_saved_views_owner_name')
    )
    op.create_table('desk_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('desk_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_sessions_expires_at'), ['expires_at'], unique=False)

    op.create_table('exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=2000), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'value', 'brand_id', name='uq_exclusions_rule')
    )
    op.create_table('mention_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mention_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mention_notes_mention_id'), ['mention_id'], unique=False)

    op.create_table('mention_tags',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', 'tag')
    )
    with op.batch_alter_table('mention_tags', schema=None) as batch_op:
        batch_op.create_index('ix_mention_tags_tag', ['tag', 'mention_id'], unique=False)

    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('site', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('engagement', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_mentions_hidden_by_id'), ['hidden_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_site'), ['site'], unique=False)
        batch_op.create_index('ix_mentions_engagement', ['engagement', 'id'], unique=False)
        batch_op.create_foreign_key('fk_mentions_hidden_by_id_exclusions', 'exclusions',
                                    ['hidden_by_id'], ['id'], ondelete='SET NULL')

    _backfill_site_and_engagement()
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == 'sqlite' else POSTGRES_FTS:
        op.execute(statement)


def _backfill_site_and_engagement() -> None:
    connection = op.get_bind()
    mentions = sa.table('mentions', sa.column('id', sa.Integer), sa.column('document_id'),
                        sa.column('site', sa.String), sa.column('engagement', sa.Integer))
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('url', sa.String),
                         sa.column('engagement', sa.JSON))
    rows = connection.execute(
        sa.select(mentions.c.id, documents.c.url, documents.c.engagement)
        .join(documents, mentions.c.document_id == documents.c.id)
    ).all()
    updates = [{'mid': mention_id, 'site': _host(url), 'eng': _engagement(counts)}
               for mention_id, url, counts in rows]
    if updates:
        connection.execute(
            mentions.update().where(mentions.c.id == sa.bindparam('mid'))
            .values(site=sa.bindparam('site'), engagement=sa.bindparam('eng')),
            updates,
        )


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or '').lower()
    return host[4:] if host.startswith('www.') else host


def _engagement(counts: Any) -> int:
    if not isinstance(counts, dict):
        return 0
    return sum(int(v) for k, v in counts.items() if k in ENGAGEMENT_KEYS and isinstance(v, int))


def downgrade() -> None:
    """Downgrade schema."""

    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('documents_fts_ai', 'documents_fts_ad', 'documents_fts_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS documents_fts')
    else:
        op.execute('DROP INDEX IF EXISTS ix_documents_search')

    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_mentions_hidden_by_id_exclusions', type_='foreignkey')
        batch_op.drop_index('ix_mentions_engagement')
        batch_op.drop_index(batch_op.f('ix_mentions_site'))
        batch_op.drop_index(batch_op.f('ix_mentions_hidden_by_id'))
        batch_op.drop_column('hidden_by_id')
        batch_op.drop_column('engagement')
        batch_op.drop_column('site')
        batch_op.drop_column('state_changed_at')
        batch_op.drop_column('snoozed_until')

    with op.batch_alter_table('mention_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_tags_tag')

    op.drop_table('mention_tags')
    with op.batch_alter_table('mention_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mention_notes_mention_id'))

    op.drop_table('mention_notes')
    op.drop_table('exclusions')
    with op.batch_alter_table('desk_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_sessions_expires_at'))

    op.drop_table('desk_sessions')
    op.drop_table('saved_views')
    op.drop_table('desk_visits')
