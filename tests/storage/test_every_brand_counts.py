"""Migration 0083: the mention counts keep a row of every brand together (brand 0), filled from
the brands' rows on the way up and kept by the triggers after, and dropped on the way down,
on SQLite and Postgres."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, select

from monitor.config import Settings
from monitor.db.engine import build_engine, build_sessionmaker
from monitor.db.migrate import upgrade_database
from monitor.db.models_counts import EVERY_BRAND, MentionCount
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed
from tests.migration_steps import downgrade_database

LABELS = ("positive", "negative", "neutral")


def _store(engine: Engine, prefix: str) -> None:
    """Mentions of two brands over three days, through whichever triggers the schema has."""
    runtime = Runtime(Settings.model_validate({"database": {"url": str(engine.url)}}), engine,
                      build_sessionmaker(engine))
    seed(runtime, [Doc(f"{prefix}{n}", NOW - timedelta(hours=5 * n),
                       brands={"Acme": LABELS[n % 3], **({"Globex": LABELS[n % 2]}
                                                         if n % 4 == 0 else {})})
                   for n in range(15)])


def _counts(engine: Engine) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    """Brand 0's rows, and the brands' rows summed per bucket and label."""
    every: Counter[tuple[object, ...]] = Counter()
    summed: Counter[tuple[object, ...]] = Counter()
    with engine.connect() as connection:
        for span, brand, at, label, mentions in connection.execute(select(
                MentionCount.span_hours, MentionCount.brand_id, MentionCount.bucket_at,
                MentionCount.label, MentionCount.mentions)):
            (every if brand == EVERY_BRAND else summed)[(span, at, label)] += mentions
    return +every, +summed


def test_every_brand_rows_are_filled_kept_and_dropped(empty_url: str) -> None:
    engine = build_engine(empty_url)
    try:
        upgrade_database(engine)
        downgrade_database(engine, "0082")
        _store(engine, "before-")
        every, summed = _counts(engine)
        assert every == Counter()  # 0072's triggers count the brands alone
        assert summed
        upgrade_database(engine)
        every, summed = _counts(engine)
        assert every == summed  # filled from the brands' rows
        _store(engine, "after-")
        every_after, summed_after = _counts(engine)
        assert summed_after != summed
        assert every_after == summed_after  # and kept by the triggers
        downgrade_database(engine, "0082")
        _store(engine, "down-")
        assert _counts(engine)[0] == Counter()
    finally:
        engine.dispose()
