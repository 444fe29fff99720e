"""mention counts: visible mentions per brand, hour or day, and shown sentiment

Revision ID: 0072
Revises: 0070
Create Date: 2026-12-05

Trends count the mentions the default listing shows (not muted, not a syndicated copy) per
bucket and sentiment. Reading every mention of a 30-day window took seconds at a million, so
these counts are kept per hour and per UTC day by triggers on mentions and documents: every
write path (storing, a sentiment override, a mute or unmute, a duplicate link, a deletion or
its cascade) keeps them exact without code of its own. On Postgres the mention triggers run
once per statement and apply one ordered, grouped upsert, so a batch of a thousand mentions
costs one statement and concurrent writers lock count rows in the same order.
"""
from collections.abc import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0072'
down_revision: str | Sequence[str] | None = '0070'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPSERT = (
    "ON CONFLICT (span_hours, brand_id, bucket_at, label) DO UPDATE SET "
    "mentions = mention_counts.mentions + excluded.mentions, "
    "score_sum = mention_counts.score_sum + excluded.score_sum"
)
COLUMNS = "(span_hours, brand_id, bucket_at, label, mentions, score_sum)"


# SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff' text: a bucket is a prefix of it.
def _sqlite_bucket(column: str) -> str:
    return (f"CASE s.span_hours WHEN 1 THEN substr({column}, 1, 13) || ':00:00.000000' "
            f"ELSE substr({column}, 1, 10) || ' 00:00:00.000000' END")


def _sqlite_mention(row: str, sign: int) -> str:
    """Count one mention (NEW or OLD) in or out, when the listing shows it."""
    return (
        f"INSERT INTO mention_counts {COLUMNS} "
        f"SELECT s.span_hours, {row}.brand_id, {_sqlite_bucket(f'{row}.sort_at')}, "
        f"coalesce({row}.sentiment_override, {row}.sentiment_label), {sign}, "
        f"{sign} * {row}.sentiment_score "
        "FROM (SELECT 1 AS span_hours UNION ALL SELECT 24) AS s "
        f"WHERE {row}.hidden_by_id IS NULL AND EXISTS (SELECT 1 FROM documents AS d "
        f"WHERE d.id = {row}.document_id AND d.duplicate_of_id IS NULL) {UPSERT};"
    )


def _sqlite_document(row: str, sign: str) -> str:
    """Count every shown mention of one document in or out."""
    return (
        f"INSERT INTO mention_counts {COLUMNS} "
        f"SELECT s.span_hours, m.brand_id, {_sqlite_bucket('m.sort_at')}, "
        "coalesce(m.sentiment_override, m.sentiment_label), "
        f"({sign}) * count(*), ({sign}) * sum(m.sentiment_score) "
        "FROM mentions AS m, (SELECT 1 AS span_hours UNION ALL SELECT 24) AS s "
        f"WHERE m.document_id = {row}.id AND m.hidden_by_id IS NULL "
        f"GROUP BY 1, 2, 3, 4 {UPSERT};"
    )


COUNTED = ("brand_id, sort_at, sentiment_label, sentiment_override, sentiment_score, "
           "hidden_by_id, document_id")
SQLITE_TRIGGERS = [
    "CREATE TRIGGER mention_counts_ai AFTER INSERT ON mentions BEGIN "
    f"{_sqlite_mention('new', 1)} END",
    # A document's deletion is counted by its own trigger, which runs first: its cascaded
    # mentions find no document any more and are not counted out twice.
    "CREATE TRIGGER mention_counts_ad AFTER DELETE ON mentions BEGIN "
    f"{_sqlite_mention('old', -1)} END",
    f"CREATE TRIGGER mention_counts_au AFTER UPDATE OF {COUNTED} ON mentions BEGIN "
    f"{_sqlite_mention('old', -1)} {_sqlite_mention('new', 1)} END",
    "CREATE TRIGGER mention_counts_document_bd BEFORE DELETE ON documents "
    f"WHEN old.duplicate_of_id IS NULL BEGIN {_sqlite_document('old', '-1')} END",
    "CREATE TRIGGER mention_counts_document_au AFTER UPDATE OF duplicate_of_id ON documents "
    "WHEN (old.duplicate_of_id IS NULL) <> (new.duplicate_of_id IS NULL) BEGIN "
    f"{_sqlite_document('new', 'CASE WHEN new.duplicate_of_id IS NULL THEN 1 ELSE -1 END')} END",
]

PG_BUCKET = ("date_trunc(CASE WHEN s.span_hours = 1 THEN 'hour' ELSE 'day' END, "
             "x.sort_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")


def _pg_delta(sources: str, *, shown_documents: bool = True) -> str:
    """One grouped upsert of the shown mentions in ``sources`` (rows carrying a sign); the
    document triggers decide on their document themselves (``shown_documents=False``)."""
    documents = ("JOIN documents AS d ON d.id = x.document_id AND d.duplicate_of_id IS NULL"
                 if shown_documents else "")
    return (
        f"INSERT INTO mention_counts AS c {COLUMNS} "
        f"SELECT s.span_hours, x.brand_id, {PG_BUCKET}, x.label, sum(x.sign), "
        "sum(x.sign * x.sentiment_score) "
        f"FROM ({sources}) AS x {documents} CROSS JOIN (VALUES (1), (24)) AS s(span_hours) "
        "GROUP BY 1, 2, 3, 4 HAVING sum(x.sign) <> 0 OR sum(x.sign * x.sentiment_score) <> 0 "
        # The same lock order in every transaction: concurrent writers cannot deadlock here.
        "ORDER BY 1, 2, 3, 4 "
        "ON CONFLICT (span_hours, brand_id, bucket_at, label) DO UPDATE SET "
        "mentions = c.mentions + excluded.mentions, score_sum = c.score_sum + excluded.score_sum"
    )


def _pg_rows(table: str, sign: int) -> str:
    return (f"SELECT brand_id, sort_at, coalesce(sentiment_override, sentiment_label) AS label, "
            f"sentiment_score, document_id, {sign} AS sign FROM {table} "
            "WHERE hidden_by_id IS NULL")


def _pg_function(name: str, body: str, returns: str = "NULL") -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body}; RETURN {returns}; END $$")


PG_DOCUMENT_MENTIONS = (
    "SELECT brand_id, sort_at, coalesce(sentiment_override, sentiment_label) AS label, "
    "sentiment_score, document_id, {sign} AS sign FROM mentions "
    "WHERE document_id = {row}.id AND hidden_by_id IS NULL"
)
POSTGRES = [
    _pg_function("mention_counts_inserted", _pg_delta(_pg_rows("new_rows", 1))),
    _pg_function("mention_counts_deleted", _pg_delta(_pg_rows("old_rows", -1))),
    _pg_function("mention_counts_updated", _pg_delta(
        _pg_rows("old_rows", -1) + " UNION ALL " + _pg_rows("new_rows", 1))),
    # Before the row goes (its cascaded mentions then find no document: not counted twice).
    _pg_function("mention_counts_document_deleted", _pg_delta(
        PG_DOCUMENT_MENTIONS.format(sign=-1, row="OLD"), shown_documents=False),
        returns="OLD"),
    _pg_function("mention_counts_document_linked", _pg_delta(PG_DOCUMENT_MENTIONS.format(
        sign="CASE WHEN NEW.duplicate_of_id IS NULL THEN 1 ELSE -1 END", row="NEW"),
        shown_documents=False)),
    "CREATE TRIGGER mention_counts_ai AFTER INSERT ON mentions REFERENCING NEW TABLE AS "
    "new_rows FOR EACH STATEMENT EXECUTE FUNCTION mention_counts_inserted()",
    "CREATE TRIGGER mention_counts_ad AFTER DELETE ON mentions REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION mention_counts_deleted()",
    "CREATE TRIGGER mention_counts_au AFTER UPDATE ON mentions REFERENCING OLD TABLE AS "
    "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mention_counts_updated()",
    "CREATE TRIGGER mention_counts_document_bd BEFORE DELETE ON documents FOR EACH ROW "
    "WHEN (OLD.duplicate_of_id IS NULL) EXECUTE FUNCTION mention_counts_document_deleted()",
    "CREATE TRIGGER mention_counts_document_au AFTER UPDATE OF duplicate_of_id ON documents "
    "FOR EACH ROW WHEN ((OLD.duplicate_of_id IS NULL) <> (NEW.duplicate_of_id IS NULL)) "
    "EXECUTE FUNCTION mention_counts_document_linked()",
]

SQLITE_BACKFILL = (
    f"INSERT INTO mention_counts {COLUMNS} "
    f"SELECT s.span_hours, m.brand_id, {_sqlite_bucket('m.sort_at')}, "
    "coalesce(m.sentiment_override, m.sentiment_label), count(*), sum(m.sentiment_score) "
    "FROM mentions AS m JOIN documents AS d ON d.id = m.document_id, "
    "(SELECT 1 AS span_hours UNION ALL SELECT 24) AS s "
    "WHERE m.hidden_by_id IS NULL AND d.duplicate_of_id IS NULL GROUP BY 1, 2, 3, 4"
)
POSTGRES_BACKFILL = (
    f"INSERT INTO mention_counts {COLUMNS} "
    f"SELECT s.span_hours, x.brand_id, {PG_BUCKET}, x.label, count(*), sum(x.sentiment_score) "
    f"FROM ({_pg_rows('mentions', 1)}) AS x JOIN documents AS d ON d.id = x.document_id "
    "AND d.duplicate_of_id IS NULL CROSS JOIN (VALUES (1), (24)) AS s(span_hours) "
    "GROUP BY 1, 2, 3, 4"
)


# Postgres guesses a fixed 0.5% for a condition on an expression it has no statistics for:
# with "shown sentiment is negative" and "not muted" both guessed so, a brand's listing looked
# like one row and was fetched whole and sorted (0.9 s at a million) instead of walked in order.
POSTGRES_STATISTICS = {
    'st_mentions_shown_label': '(coalesce(sentiment_override, sentiment_label))',
    'st_mentions_visible': '(coalesce(hidden_by_id, 0))',
}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'mention_counts',
        sa.Column('span_hours', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('bucket_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('label', sa.String(length=10), nullable=False),
        sa.Column('mentions', sa.Integer(), nullable=False),
        sa.Column('score_sum', sa.Float(), nullable=False),
        # No foreign key to brands: a brand's deletion cascades to its mentions, whose
        # triggers then count them out of rows that must still be there.
        sa.PrimaryKeyConstraint('span_hours', 'brand_id', 'bucket_at', 'label'),
    )
    op.create_index('ix_mention_counts_bucket', 'mention_counts', ['span_hours', 'bucket_at'])
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:  # the backfill reads every mention: minutes at millions, past the timeout
        op.execute('SET LOCAL statement_timeout = 0')
    op.execute(SQLITE_BACKFILL if sqlite else POSTGRES_BACKFILL)
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES:
        op.execute(statement)
    if not sqlite:
        for name, expression in POSTGRES_STATISTICS.items():
            op.execute(f'CREATE STATISTICS {name} ON {expression} FROM mentions')


def downgrade() -> None:
    """Downgrade schema."""
    triggers = {'mention_counts_ai': 'mentions', 'mention_counts_ad': 'mentions',
                'mention_counts_au': 'mentions', 'mention_counts_document_bd': 'documents',
                'mention_counts_document_au': 'documents'}
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:
        for name in POSTGRES_STATISTICS:
            op.execute(f'DROP STATISTICS IF EXISTS {name}')
    for trigger, table in triggers.items():
        op.execute(f'DROP TRIGGER IF EXISTS {trigger}' + ('' if sqlite else f' ON {table}'))
    if not sqlite:
        for function in ('inserted', 'deleted', 'updated', 'document_deleted',
                         'document_linked'):
            op.execute(f'DROP FUNCTION IF EXISTS mention_counts_{function}()')
    op.drop_index('ix_mention_counts_bucket', table_name='mention_counts')
    op.drop_table('mention_counts')
