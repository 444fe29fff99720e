"""facet counts: visible mentions per brand, hour or day, and source or topic

Revision ID: 0074
Revises: 0078
Create Date: 2026-12-05

The trends page ranks sources and topics over its window, and each count links to the
listing filtered by that source or topic. Counting them from the mentions read a whole
30-day window (seconds at a million), so they are kept beside ``mention_counts`` the same
way: per hour and per UTC day, for each brand and for every brand together (brand 0, which
keeps the all-brands ranking a read of one row per source and bucket rather than one per brand
too), with the shown sentiments as columns so a sentiment filter reads the same rows. Triggers
on mentions and documents keep them exact on every write path, as 0072's do; a document
moved to another source is counted out of the old one and into the new.

Top threads count a few candidate threads exactly (a sample of the window puts them forward):
an index on a document's thread (its thread url, else its own url) finds their documents.

Topics are the distinct strings of a mention's ``topics`` array, what the listing's topic
filter matches.
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0074'
down_revision: str | Sequence[str] | None = '0078'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LABELS = ('positive', 'negative', 'neutral', 'unscored')
TABLES = {'source_counts': 'source_id', 'topic_counts': 'topic'}
TALLIES = ('mentions',) + LABELS

SPANS = '(SELECT 1 AS span_hours UNION ALL SELECT 24) AS s'
# Each mention is counted for its brand and for brand 0, every brand at once.
SCOPES = '(SELECT 0 AS everyone UNION ALL SELECT 1) AS b'
BRAND = 'CASE WHEN b.everyone = 1 THEN 0 ELSE x.brand_id END'
SQLITE_BUCKET = ("CASE s.span_hours WHEN 1 THEN substr(x.sort_at, 1, 13) || ':00:00.000000' "
                 "ELSE substr(x.sort_at, 1, 10) || ' 00:00:00.000000' END")
PG_BUCKET = ("date_trunc(CASE WHEN s.span_hours = 1 THEN 'hour' ELSE 'day' END, "
             "x.sort_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")

# A topic named twice in one mention is one mention of it; non-strings match no topic filter.
SQLITE_TOPICS = (
    "JOIN json_each(CASE WHEN json_type(x.topics) = 'array' THEN x.topics ELSE '[]' END) AS t "
    "ON t.type = 'text' AND NOT EXISTS (SELECT 1 FROM json_each(x.topics) AS u "
    "WHERE u.type = 'text' AND u.value = t.value AND u.key < t.key)"
)
PG_TOPICS = (
    "CROSS JOIN LATERAL (SELECT DISTINCT e #>> '{}' AS value FROM jsonb_array_elements("
    "CASE WHEN jsonb_typeof(x.topics::jsonb) = 'array' THEN x.topics::jsonb "
    "ELSE '[]'::jsonb END) AS e WHERE jsonb_typeof(e) = 'string') AS t"
)


def _delta(table: str, rows: str, sqlite: bool, *, ordered: bool = True) -> str:
    """One grouped upsert of ``rows`` (shown mentions with their source, topics and a sign)
    into ``table``."""
    key = TABLES[table]
    value = 'x.source_id' if key == 'source_id' else 't.value'
    topics = '' if key == 'source_id' else (SQLITE_TOPICS if sqlite else PG_TOPICS)
    tallies = ['sum(x.sign)'] + [f"sum(CASE WHEN x.label = '{label}' THEN x.sign ELSE 0 END)"
                                  for label in LABELS]
    changed = ' OR '.join(f'{tally} <> 0' for tally in tallies)
    updates = ', '.join(f'{t} = {table}.{t} + excluded.{t}' for t in TALLIES)
    return (
        f"INSERT INTO {table} (span_hours, brand_id, bucket_at, {key}, {', '.join(TALLIES)}) "
        f"SELECT s.span_hours, {BRAND}, {SQLITE_BUCKET if sqlite else PG_BUCKET}, {value}, "
        f"{', '.join(tallies)} FROM ({rows}) AS x {topics} CROSS JOIN {SPANS} "
        f"CROSS JOIN {SCOPES} WHERE true GROUP BY 1, 2, 3, 4 HAVING {changed} "
        # The same lock order in every transaction: concurrent writers cannot deadlock here.
        + ("ORDER BY 1, 2, 3, 4 " if ordered and not sqlite else "")
        + f"ON CONFLICT (span_hours, brand_id, bucket_at, {key}) DO UPDATE SET {updates}"
    )


def _mention_rows(table: str, sign: int) -> str:
    """Shown mentions of ``table`` (NEW, OLD or a transition table) with their source."""
    row = f'{table}.' if table in ('new', 'old') else 'm.'
    source = '' if row != 'm.' else f'{table} AS m '
    return (
        f"SELECT {row}brand_id AS brand_id, {row}sort_at AS sort_at, "
        f"coalesce({row}sentiment_override, {row}sentiment_label) AS label, "
        f"{row}topics AS topics, d.source_id AS source_id, {sign} AS sign "
        f"FROM {source}{',' if source else ''} documents AS d "
        f"WHERE d.id = {row}document_id AND d.duplicate_of_id IS NULL "
        f"AND {row}hidden_by_id IS NULL"
    )


def _document_rows(row: str, sign: int) -> str:
    """The shown mentions of one document (OLD or NEW), counted with its source then."""
    return (
        "SELECT m.brand_id AS brand_id, m.sort_at AS sort_at, "
        "coalesce(m.sentiment_override, m.sentiment_label) AS label, m.topics AS topics, "
        f"{row}.source_id AS source_id, {sign} AS sign FROM mentions AS m "
        f"WHERE m.document_id = {row}.id AND m.hidden_by_id IS NULL "
        f"AND {row}.duplicate_of_id IS NULL"
    )


def _sqlite_statements(rows: str) -> str:
    return ' '.join(f'{_delta(table, rows, True)};' for table in TABLES)


MENTION_COLUMNS = ("brand_id, sort_at, sentiment_label, sentiment_override, hidden_by_id, "
                   "document_id, topics")
SQLITE_TRIGGERS = [
    "CREATE TRIGGER facet_counts_ai AFTER INSERT ON mentions BEGIN "
    f"{_sqlite_statements(_mention_rows('new', 1))} END",
    # A document's deletion is counted by its own trigger, which runs first: its cascaded
    # mentions find no document any more and are not counted out twice.
    "CREATE TRIGGER facet_counts_ad AFTER DELETE ON mentions BEGIN "
    f"{_sqlite_statements(_mention_rows('old', -1))} END",
    f"CREATE TRIGGER facet_counts_au AFTER UPDATE OF {MENTION_COLUMNS} ON mentions BEGIN "
    f"{_sqlite_statements(_mention_rows('old', -1))} "
    f"{_sqlite_statements(_mention_rows('new', 1))} END",
    "CREATE TRIGGER facet_counts_document_bd BEFORE DELETE ON documents "
    f"WHEN old.duplicate_of_id IS NULL BEGIN {_sqlite_statements(_document_rows('old', -1))} "
    "END",
    "CREATE TRIGGER facet_counts_document_au AFTER UPDATE OF duplicate_of_id, source_id "
    "ON documents WHEN (old.duplicate_of_id IS NULL) <> (new.duplicate_of_id IS NULL) "
    "OR old.source_id <> new.source_id BEGIN "
    f"{_sqlite_statements(_document_rows('old', -1))} "
    f"{_sqlite_statements(_document_rows('new', 1))} END",
]


def _pg_function(name: str, rows: str, returns: str = 'NULL') -> str:
    body = '; '.join(_delta(table, rows, False) for table in TABLES)
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body}; RETURN {returns}; END $$")


POSTGRES = [
    _pg_function('facet_counts_inserted', _mention_rows('new_rows', 1)),
    _pg_function('facet_counts_deleted', _mention_rows('old_rows', -1)),
    _pg_function('facet_counts_updated', _mention_rows('old_rows', -1) + ' UNION ALL '
                 + _mention_rows('new_rows', 1)),
    # Before the row goes (its cascaded mentions then find no document: not counted twice).
    _pg_function('facet_counts_document_deleted', _document_rows('OLD', -1), returns='OLD'),
    _pg_function('facet_counts_document_changed', _document_rows('OLD', -1) + ' UNION ALL '
                 + _document_rows('NEW', 1)),
    "CREATE TRIGGER facet_counts_ai AFTER INSERT ON mentions REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION facet_counts_inserted()",
    "CREATE TRIGGER facet_counts_ad AFTER DELETE ON mentions REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION facet_counts_deleted()",
    "CREATE TRIGGER facet_counts_au AFTER UPDATE ON mentions REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION facet_counts_updated()",
    "CREATE TRIGGER facet_counts_document_bd BEFORE DELETE ON documents FOR EACH ROW "
    "WHEN (OLD.duplicate_of_id IS NULL) EXECUTE FUNCTION facet_counts_document_deleted()",
    "CREATE TRIGGER facet_counts_document_au AFTER UPDATE OF duplicate_of_id, source_id "
    "ON documents FOR EACH ROW WHEN ((OLD.duplicate_of_id IS NULL) <> "
    "(NEW.duplicate_of_id IS NULL) OR OLD.source_id <> NEW.source_id) "
    "EXECUTE FUNCTION facet_counts_document_changed()",
]

TRIGGERS = {'facet_counts_ai': 'mentions', 'facet_counts_ad': 'mentions',
            'facet_counts_au': 'mentions', 'facet_counts_document_bd': 'documents',
            'facet_counts_document_au': 'documents'}
FUNCTIONS = ('inserted', 'deleted', 'updated', 'document_deleted', 'document_changed')


# Hash on Postgres, as ix_documents_thread_url: a url can outgrow a btree entry.
THREAD_KEY_INDEX = ('CREATE INDEX ix_documents_thread_key ON documents '
                    '{using}((coalesce(thread_url, url)))')


def thread_key_index(sqlite: bool) -> str:
    return THREAD_KEY_INDEX.format(using='' if sqlite else 'USING hash ')


def backfill(sqlite: bool) -> list[str]:
    """The counts recomputed from the mentions (into empty tables), in key order: a range of
    buckets is then a run of neighbouring pages."""
    return [_delta(table, _mention_rows('mentions', 1), sqlite) for table in TABLES]


def _tallies() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in TALLIES]


def _key(column: str) -> sa.PrimaryKeyConstraint:
    # The tallies ride in the key's index on Postgres (and the rows in it on SQLite, which
    # keeps them in key order): a window's buckets are read from the index alone.
    return sa.PrimaryKeyConstraint('span_hours', 'brand_id', 'bucket_at', column,
                                   postgresql_include=list(TALLIES))


def upgrade() -> None:
    """Upgrade schema."""
    # No foreign keys: a brand's or source's deletion cascades to mentions, whose triggers
    # then count them out of rows that must still be there.
    op.create_table(
        'source_counts',
        sa.Column('span_hours', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('bucket_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        *_tallies(),
        _key('source_id'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'topic_counts',
        sa.Column('span_hours', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('bucket_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('topic', sa.Text(), nullable=False),
        *_tallies(),
        _key('topic'),
        sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:  # the backfill reads every mention: minutes at millions, past the timeout
        op.execute('SET LOCAL statement_timeout = 0')
    for statement in backfill(sqlite):
        op.execute(statement)
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES:
        op.execute(statement)
    op.execute(thread_key_index(sqlite))


def downgrade() -> None:
    """Downgrade schema."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.execute('DROP INDEX IF EXISTS ix_documents_thread_key')
    for trigger, table in TRIGGERS.items():
        op.execute(f'DROP TRIGGER IF EXISTS {trigger}' + ('' if sqlite else f' ON {table}'))
    if not sqlite:
        for function in FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS facet_counts_{function}()')
    op.drop_table('topic_counts')
    op.drop_table('source_counts')
