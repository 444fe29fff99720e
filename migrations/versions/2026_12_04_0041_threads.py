"""threads: every document belongs to one, read marks per person, follow flag

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-04

A thread is a post and its comments, keyed by the post's URL (a comment's ``thread_url``).
"""
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0041'
down_revision: str | Sequence[str] | None = '0040'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('followed', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name='uq_threads_key')
    )
    op.create_table('thread_reads',
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('principal', 'thread_id')
    )
    # Plain ADD COLUMN (no foreign key): SQLite keeps the table, and the search triggers on it.
    op.add_column('documents', sa.Column('thread_id', sa.Integer(), nullable=True))
    op.create_index('ix_documents_thread', 'documents', ['thread_id', 'published_at'],
                    unique=False)
    _backfill()


def _key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _backfill() -> None:
    connection = op.get_bind()
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('url', sa.String),
                         sa.column('thread_url', sa.String), sa.column('thread_title', sa.Text),
                         sa.column('title', sa.Text), sa.column('thread_id', sa.Integer))
    threads = sa.table('threads', sa.column('id', sa.Integer), sa.column('key', sa.String),
                       sa.column('url', sa.String), sa.column('title', sa.Text),
                       sa.column('followed', sa.Boolean), sa.column('created_at', sa.DateTime))
    rows = connection.execute(sa.select(
        documents.c.id, sa.func.coalesce(documents.c.thread_url, documents.c.url),
        sa.func.coalesce(documents.c.thread_title, documents.c.title))).all()
    titles: dict[str, str] = {}
    for _, url, title in rows:
        if title or url not in titles:
            titles[url] = titles.get(url) or title or ''
    now = datetime.now(UTC)
    created = [{'key': _key(u), 'url': u, 'title': t, 'followed': False, 'created_at': now}
               for u, t in titles.items()]
    for start in range(0, len(created), BATCH):
        connection.execute(threads.insert(), created[start:start + BATCH])
    ids = dict(connection.execute(sa.select(threads.c.key, threads.c.id)).all())
    updates = [{'doc': doc_id, 'tid': ids[_key(url)]} for doc_id, url, _ in rows]
    statement = (documents.update().where(documents.c.id == sa.bindparam('doc'))
                 .values(thread_id=sa.bindparam('tid')))
    for start in range(0, len(updates), BATCH):
        connection.execute(statement, updates[start:start + BATCH])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_documents_thread', table_name='documents')
    # Native DROP COLUMN: rebuilding documents on SQLite would lose its search triggers.
    op.drop_column('documents', 'thread_id')
    op.drop_table('thread_reads')
    op.drop_table('threads')
