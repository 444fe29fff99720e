"""mention counts of every brand together (brand 0)

Revision ID: 0083
Revises: 0082
Create Date: 2026-12-06

Trends for all brands summed the counts of every brand: a 30-day window read 6,000 rows
(50 brands, 30 days, four sentiments) for its buckets, and as many again to spread the
previous window's sample. The counts now also keep a row for every brand together, brand 0,
as the per-source and per-topic counts do (0074): the same buckets are 120 rows. The triggers
of 0072 count each mention into its brand's row and into brand 0's; on Postgres they still
run once per statement, so a batch adds a row per hour, day and sentiment. Brand 0 has no
brand row, so every query that joins the brands (share of voice) leaves it out.
"""
from collections.abc import Sequence

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0083'
down_revision: str | Sequence[str] | None = '0082'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = '(span_hours, brand_id, bucket_at, label, mentions, score_sum)'
UPSERT = (
    'ON CONFLICT (span_hours, brand_id, bucket_at, label) DO UPDATE SET '
    'mentions = mention_counts.mentions + excluded.mentions, '
    'score_sum = mention_counts.score_sum + excluded.score_sum'
)
SPANS = '(SELECT 1 AS span_hours UNION ALL SELECT 24) AS s'
SCOPES = '(SELECT 0 AS everyone UNION ALL SELECT 1) AS b'


def _scoped(every_brand: bool, brand: str) -> tuple[str, str]:
    """The brand column and the join that give each mention a row of its brand and, with
    ``every_brand``, one of brand 0."""
    if not every_brand:
        return brand, ''
    return f'CASE WHEN b.everyone = 1 THEN 0 ELSE {brand} END', f', {SCOPES}'


def _sqlite_bucket(column: str) -> str:
    return (f"CASE s.span_hours WHEN 1 THEN substr({column}, 1, 13) || ':00:00.000000' "
            f"ELSE substr({column}, 1, 10) || ' 00:00:00.000000' END")


def _sqlite_mention(row: str, sign: int, every_brand: bool) -> str:
    brand, scopes = _scoped(every_brand, f'{row}.brand_id')
    return (
        f'INSERT INTO mention_counts {COLUMNS} '
        f"SELECT s.span_hours, {brand}, {_sqlite_bucket(f'{row}.sort_at')}, "
        f'coalesce({row}.sentiment_override, {row}.sentiment_label), {sign}, '
        f'{sign} * {row}.sentiment_score FROM {SPANS}{scopes} '
        f'WHERE {row}.hidden_by_id IS NULL AND EXISTS (SELECT 1 FROM documents AS d '
        f'WHERE d.id = {row}.document_id AND d.duplicate_of_id IS NULL) {UPSERT};'
    )


def _sqlite_document(row: str, sign: str, every_brand: bool) -> str:
    brand, scopes = _scoped(every_brand, 'm.brand_id')
    return (
        f'INSERT INTO mention_counts {COLUMNS} '
        f"SELECT s.span_hours, {brand}, {_sqlite_bucket('m.sort_at')}, "
        'coalesce(m.sentiment_override, m.sentiment_label), '
        f'({sign}) * count(*), ({sign}) * sum(m.sentiment_score) '
        f'FROM mentions AS m, {SPANS}{scopes} '
        f'WHERE m.document_id = {row}.id AND m.hidden_by_id IS NULL '
        f'GROUP BY 1, 2, 3, 4 {UPSERT};'
    )


COUNTED = ('brand_id, sort_at, sentiment_label, sentiment_override, sentiment_score, '
           'hidden_by_id, document_id')
TRIGGERS = {'mention_counts_ai': 'mentions', 'mention_counts_ad': 'mentions',
            'mention_counts_au': 'mentions', 'mention_counts_document_bd': 'documents',
            'mention_counts_document_au': 'documents'}


def sqlite_triggers(every_brand: bool) -> list[str]:
    """0072's triggers, counting into brand 0 too with ``every_brand``."""
    def mention(row: str, sign: int) -> str:
        return _sqlite_mention(row, sign, every_brand)
    linked = 'CASE WHEN new.duplicate_of_id IS NULL THEN 1 ELSE -1 END'
    return [
        f'CREATE TRIGGER mention_counts_ai AFTER INSERT ON mentions BEGIN {mention("new", 1)} '
        'END',
        # A document's deletion is counted by its own trigger, which runs first: its cascaded
        # mentions find no document any more and are not counted out twice.
        f'CREATE TRIGGER mention_counts_ad AFTER DELETE ON mentions BEGIN {mention("old", -1)} '
        'END',
        f'CREATE TRIGGER mention_counts_au AFTER UPDATE OF {COUNTED} ON mentions BEGIN '
        f'{mention("old", -1)} {mention("new", 1)} END',
        'CREATE TRIGGER mention_counts_document_bd BEFORE DELETE ON documents '
        'WHEN old.duplicate_of_id IS NULL BEGIN '
        f"{_sqlite_document('old', '-1', every_brand)} END",
        'CREATE TRIGGER mention_counts_document_au AFTER UPDATE OF duplicate_of_id ON documents '
        'WHEN (old.duplicate_of_id IS NULL) <> (new.duplicate_of_id IS NULL) BEGIN '
        f"{_sqlite_document('new', linked, every_brand)} END",
    ]


PG_BUCKET = ("date_trunc(CASE WHEN s.span_hours = 1 THEN 'hour' ELSE 'day' END, "
             "x.sort_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")


def _pg_delta(sources: str, every_brand: bool, *, shown_documents: bool = True) -> str:
    documents = ('JOIN documents AS d ON d.id = x.document_id AND d.duplicate_of_id IS NULL'
                 if shown_documents else '')
    brand, scopes = _scoped(every_brand, 'x.brand_id')
    return (
        f'INSERT INTO mention_counts AS c {COLUMNS} '
        f'SELECT s.span_hours, {brand}, {PG_BUCKET}, x.label, sum(x.sign), '
        'sum(x.sign * x.sentiment_score) '
        f'FROM ({sources}) AS x {documents} CROSS JOIN (VALUES (1), (24)) AS s(span_hours)'
        f'{scopes} GROUP BY 1, 2, 3, 4 '
        'HAVING sum(x.sign) <> 0 OR sum(x.sign * x.sentiment_score) <> 0 '
        # The same lock order in every transaction: concurrent writers cannot deadlock here.
        'ORDER BY 1, 2, 3, 4 '
        'ON CONFLICT (span_hours, brand_id, bucket_at, label) DO UPDATE SET '
        'mentions = c.mentions + excluded.mentions, score_sum = c.score_sum + excluded.score_sum'
    )


def _pg_rows(table: str, sign: int) -> str:
    return (f'SELECT brand_id, sort_at, coalesce(sentiment_override, sentiment_label) AS label, '
            f'sentiment_score, document_id, {sign} AS sign FROM {table} '
            'WHERE hidden_by_id IS NULL')


def _pg_document_mentions(sign: str, row: str) -> str:
    return ('SELECT brand_id, sort_at, coalesce(sentiment_override, sentiment_label) AS label, '
            f'sentiment_score, document_id, {sign} AS sign FROM mentions '
            f'WHERE document_id = {row}.id AND hidden_by_id IS NULL')


def _pg_function(name: str, body: str, returns: str = 'NULL') -> str:
    return (f'CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f'BEGIN {body}; RETURN {returns}; END $$')


def postgres_functions(every_brand: bool) -> list[str]:
    """The bodies of 0072's trigger functions (the triggers themselves stay), counting into
    brand 0 too with ``every_brand``."""
    linked = 'CASE WHEN NEW.duplicate_of_id IS NULL THEN 1 ELSE -1 END'
    return [
        _pg_function('mention_counts_inserted', _pg_delta(_pg_rows('new_rows', 1), every_brand)),
        _pg_function('mention_counts_deleted', _pg_delta(_pg_rows('old_rows', -1), every_brand)),
        _pg_function('mention_counts_updated', _pg_delta(
            _pg_rows('old_rows', -1) + ' UNION ALL ' + _pg_rows('new_rows', 1), every_brand)),
        _pg_function('mention_counts_document_deleted', _pg_delta(
            _pg_document_mentions('-1', 'OLD'), every_brand, shown_documents=False),
            returns='OLD'),
        _pg_function('mention_counts_document_linked', _pg_delta(
            _pg_document_mentions(linked, 'NEW'), every_brand, shown_documents=False)),
    ]


# Brand 0's rows, summed from the brands' own (exact already): no mention is read.
BACKFILL = (
    f'INSERT INTO mention_counts {COLUMNS} '
    'SELECT span_hours, 0, bucket_at, label, sum(mentions), sum(score_sum) '
    'FROM mention_counts WHERE brand_id <> 0 GROUP BY span_hours, bucket_at, label '
    'HAVING sum(mentions) <> 0 OR sum(score_sum) <> 0 ORDER BY 1, 3, 4'
)


def _replace_counting(every_brand: bool) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in TRIGGERS:
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        statements = sqlite_triggers(every_brand)
    else:
        statements = postgres_functions(every_brand)
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name != 'sqlite':
        # Writers count into the brands' rows by the old functions until this transaction
        # commits: none may add to them between the backfill and the new functions.
        op.execute('LOCK TABLE mention_counts IN SHARE ROW EXCLUSIVE MODE')
    op.execute('DELETE FROM mention_counts WHERE brand_id = 0')
    op.execute(BACKFILL)
    _replace_counting(every_brand=True)


def downgrade() -> None:
    """Downgrade schema."""
    _replace_counting(every_brand=False)
    op.execute('DELETE FROM mention_counts WHERE brand_id = 0')
