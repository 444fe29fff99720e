"""Writers in several processes at once (workers, the API) on one database: mentions stored
in opposite orders do not deadlock on the shared counts, and processes storing the same
config at once all start. Threads with their own connections stand in for the processes;
SQLite and Postgres."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand, Mention
from monitor.db.models_counts import MentionCount
from monitor.db.repositories import DocumentRepository, MentionRepository
from monitor.db.repositories.counted_writes import lock_counted_writes
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import Runtime
from tests.storage.test_repositories import NOW, _brand, _doc_row, _mention_row, _source


def _run_together(*steps: Callable[[], None]) -> list[BaseException]:
    """Run each step in its own thread; return what they raised."""
    raised: list[BaseException] = []

    def guarded(step: Callable[[], None]) -> None:
        try:
            step()
        except BaseException as exc:  # reported to the test, not lost in the thread
            raised.append(exc)
    threads = [threading.Thread(target=guarded, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return raised


def test_mentions_stored_in_opposite_orders_by_two_writers_do_not_deadlock(
        runtime: Runtime) -> None:
    source_id, acme, globex = _source(runtime), _brand(runtime, "Acme"), _brand(runtime, "Globex")
    day_one, day_two = NOW - timedelta(days=2), NOW - timedelta(days=1)
    with unit_of_work(runtime.sessions) as session:
        docs = DocumentRepository(session).insert_new(
            [_doc_row(source_id, f"d{n}") for n in range(4)])
    first_holds = threading.Event()

    def first() -> None:  # Acme on day one, then Globex on day two
        with unit_of_work(runtime.sessions) as session:
            lock_counted_writes(session)
            mentions = MentionRepository(session)
            mentions.insert_many([_mention_row(docs["d0"], acme, day_one)])
            first_holds.set()
            time.sleep(0.5)  # the second writer starts meanwhile
            mentions.insert_many([_mention_row(docs["d1"], globex, day_two)])

    def second() -> None:  # the other way round: Globex on day two, then Acme on day one
        first_holds.wait(10)
        with unit_of_work(runtime.sessions) as session:
            lock_counted_writes(session)
            mentions = MentionRepository(session)
            mentions.insert_many([_mention_row(docs["d2"], globex, day_two)])
            mentions.insert_many([_mention_row(docs["d3"], acme, day_one)])

    assert _run_together(first, second) == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 4
        daily = select(func.sum(MentionCount.mentions)).where(
            MentionCount.span_hours == 24, MentionCount.brand_id == 0)
        assert session.scalar(daily) == 4  # every brand together: both writers counted


def test_processes_storing_the_same_new_config_at_once_all_succeed(runtime: Runtime) -> None:
    for round_ in range(3):
        names = [f"Brand {round_}-{n}" for n in range(5)]
        settings = Settings(database=runtime.settings.database.model_dump(),
                            brands=[{"name": name, "query": name} for name in names])
        starting = threading.Barrier(4)

        def start_process(settings: Settings = settings,
                          starting: threading.Barrier = starting) -> None:
            starting.wait(10)
            sync_config(Runtime(settings, runtime.engine, runtime.sessions))

        assert _run_together(*[start_process] * 4) == []
        with runtime.sessions() as session:
            stored = session.scalars(select(Brand.name).where(Brand.name.in_(names))).all()
        assert sorted(stored) == names
