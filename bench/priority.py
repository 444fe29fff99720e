"""Priority: what ranking costs at ingest and per listing page.

1. Ingest: bench/ingest.py's corpus (5,000 documents) stored through the collector's path;
   the figure is the time spent in the priority rescoring over the whole ingest time, both
   measured in the same round (min/median over the rounds).
2. Pages: stores of ``--mentions`` and four times as many (bench/api.py's generator), scored
   as migration 0070 scores existing items (timed: items per second); then the first page and
   a page 2,000 entries down of the mention listing and of the inbox, sort=priority against
   sort=time on the same store. A page's cost should not grow with the store: the last figure
   is the larger store's time over the smaller's, per query.

Run::

    .venv/bin/python bench/priority.py [--rounds 3] [--mentions 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ingest
from scratch_db import postgres_database, sqlite_database
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.engine import build_engine
from monitor.db.migrate import upgrade_database
from monitor.db.models import Mention
from monitor.db.repositories.items import ItemRepository
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.db.repositories.priorities import PriorityRepository
from monitor.pipeline import store

_SPEC = importlib.util.spec_from_file_location("bench_api", Path(__file__).with_name("api.py"))
assert _SPEC is not None
assert _SPEC.loader is not None
bench_api = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench_api)

SCORE_BATCH = 5000  # as migration 0070


class _TimedRescoring(PriorityRepository):
    """The store's rescoring, adding the time it takes to ``spent``."""

    spent = 0.0

    def refresh_after_insert(self, document_ids: Any) -> int:
        started = time.perf_counter()
        try:
            return super().refresh_after_insert(document_ids)
        finally:
            _TimedRescoring.spent += time.perf_counter() - started


@contextmanager
def timed_rescoring() -> Iterator[None]:
    original = PriorityRepository
    store.PriorityRepository = _TimedRescoring  # type: ignore[attr-defined]
    _TimedRescoring.spent = 0.0
    try:
        yield
    finally:
        store.PriorityRepository = original  # type: ignore[attr-defined]


def bench_ingest(backends: dict[str, Callable[[], Any]], rounds: int) -> dict[str, Any]:
    """The rescoring's share of the whole ingest time, both measured in the same run (a
    with/without comparison drowns in the noise of a shared machine)."""
    corpus = ingest.build_corpus()
    results: dict[str, Any] = {}
    for name, database in backends.items():
        shares = []
        for _ in range(rounds):
            with database() as url, timed_rescoring():
                total = ingest.run_ingest(url, corpus)
                shares.append(_TimedRescoring.spent / total)
        shares.sort()
        print(f"ingest on {name}: rescoring's share of the ingest time {min(shares):.3f} min, "
              f"{statistics.median(shares):.3f} median ({', '.join(f'{r:.3f}' for r in shares)})")
        results[name] = {"share_min": round(min(shares), 3),
                         "share_median": round(statistics.median(shares), 3)}
    return results


def score_store(engine: Any) -> float:
    """Score every item as the migration does; returns items per second."""
    started = time.perf_counter()
    with Session(engine) as session:
        ids = sorted(set(session.scalars(select(Mention.document_id))))
        repository = PriorityRepository(session)
        for low in range(0, len(ids), SCORE_BATCH):
            repository.refresh(ids[low:low + SCORE_BATCH])
        session.commit()
    with engine.begin() as connection:
        refresh_planner_statistics(connection)
    return len(ids) / (time.perf_counter() - started)


def page_calls(session: Session) -> dict[str, Callable[[], object]]:
    calls: dict[str, Callable[[], object]] = {}
    for sort in ("time", "priority"):
        for listing, repo in (("mentions", MentionRepository(session)),
                              ("inbox", ItemRepository(session))):
            cursor = None
            for _ in range(40):  # 2,000 entries down
                cursor = repo.list_page(MentionFilter(), limit=50, cursor=cursor,
                                        sort=sort).next_cursor
            for where, at in (("first", None), ("deep", cursor)):
                calls[f"{listing} {where} {sort}"] = (
                    lambda r=repo, c=at, s=sort: r.list_page(  # type: ignore[misc]
                        MentionFilter(), limit=50, cursor=c, sort=s))
    return calls


def time_pages(engine: Any, repeat: int, rounds: int) -> dict[str, float]:
    """Per query, the min over rounds of the median of ``repeat`` calls, in ms."""
    best: dict[str, float] = {}
    with Session(engine) as session:
        calls = page_calls(session)
        for _ in range(rounds):
            for name, call in calls.items():
                call()
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    call()
                    times.append((time.perf_counter() - started) * 1000)
                best[name] = min(best.get(name, float("inf")), statistics.median(times))
    return best


def bench_pages(backends: dict[str, Callable[[], Any]], mentions: int, repeat: int,
                rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, database in backends.items():
        sizes: dict[int, dict[str, float]] = {}
        for size in (mentions, 4 * mentions):
            with database() as url:
                engine = build_engine(url)
                upgrade_database(engine)
                bench_api.build_store(engine, size)
                rate = score_store(engine)
                sizes[size] = time_pages(engine, repeat, rounds)
                engine.dispose()
            print(f"{name}, {size} mentions: scored {rate:.0f} items/s")
            for listing in ("mentions", "inbox"):
                for where in ("first", "deep"):
                    p = sizes[size][f"{listing} {where} priority"]
                    t = sizes[size][f"{listing} {where} time"]
                    print(f"  {listing:<8} {where:<5} priority {p:7.2f} ms  time {t:7.2f} ms"
                          f"  ratio {p / t:5.2f}")
            results.setdefault(name, {})[str(size)] = {"score_items_per_s": round(rate)}
        small, large = sizes[mentions], sizes[4 * mentions]
        growth = {k: round(large[k] / small[k], 2) for k in small if k.endswith("priority")}
        print(f"  {name}: page time at {4 * mentions} over {mentions} mentions: {growth}")
        results[name]["growth_4x"] = growth
        results[name]["ratio_vs_time"] = {
            k: round(large[k] / large[k.replace("priority", "time")], 2) for k in growth}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--only", choices=["ingest", "pages"])
    args = parser.parse_args()
    backends: dict[str, Callable[[], Any]] = {"sqlite": lambda: sqlite_database("bench.db")}
    if args.postgres:
        backends["postgres"] = lambda: postgres_database(args.postgres, "bench_priority")
    results: dict[str, Any] = {}
    if args.only != "pages":
        results["ingest"] = bench_ingest(backends, args.rounds)
    if args.only != "ingest":
        results["pages"] = bench_pages(backends, args.mentions, args.repeat, args.rounds)
    print(json.dumps({"bench": "priority", **results}))


if __name__ == "__main__":
    main()
