"""What importing and exporting thousands of feeds as OPML costs, as ratios within one run.

Imports ``--feeds`` feeds (default 5,000) into a fresh, migrated SQLite database (and
Postgres when ``--postgres URL`` names an empty database to use), re-imports the same file
(every feed a duplicate), and exports them again. Each is timed (min and median of
``--rounds`` rounds, each on an emptied table) against a baseline measured in the same run:
parsing the file alone. Peak Python memory of one import is measured with tracemalloc.

Run::

    .venv/bin/python bench/opml_bench.py [--feeds 5000] [--rounds 3] [--postgres postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete

from collectors import registry
from monitor.config import Settings
from monitor.db.engine import build_engine, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.db.models import Source
from monitor.domain.opml import OpmlFeed, parse_opml, render_opml
from monitor.pipeline.opml import export_opml, import_opml
from monitor.runtime import Runtime, open_runtime


def build_file(count: int) -> bytes:
    feeds = [OpmlFeed(f"https://blog{i}.example/feed/", f"Blog number {i}") for i in range(count)]
    return render_opml(feeds).encode()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def empty(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        session.execute(delete(Source))


def measure(runtime: Runtime, body: bytes, rounds: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {"parse": [], "import": [], "reimport": [], "export": []}
    for _ in range(rounds):
        empty(runtime)
        runs["parse"].append(timed(lambda: parse_opml(body, registry.kind_names())))
        runs["import"].append(timed(lambda: import_opml(runtime, body)))
        runs["reimport"].append(timed(lambda: import_opml(runtime, body)))
        runs["export"].append(timed(lambda: export_opml(runtime)))
    return runs


def peak_memory(runtime: Runtime, body: bytes) -> int:
    empty(runtime)
    tracemalloc.start()
    import_opml(runtime, body)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def report(label: str, runs: dict[str, list[float]], peak: int, feeds: int) -> dict[str, object]:
    baseline = min(runs["parse"])
    print(f"\n{label}: parsing {feeds} feeds takes {baseline * 1000:.1f} ms (the baseline)")
    figures: dict[str, object] = {"database": label, "feeds": feeds,
                                  "parse_ms": round(baseline * 1000, 1),
                                  "import_peak_mib": round(peak / 2**20, 1)}
    for name in ("import", "reimport", "export"):
        best, median = min(runs[name]), statistics.median(runs[name])
        print(f"  {name:<10} min {best / baseline:7.1f}× median {median / baseline:7.1f}× "
              f"the baseline ({best * 1000:.0f} ms)")
        figures[f"{name}_ms"] = round(best * 1000, 1)
        figures[f"{name}_ratio"] = round(best / baseline, 2)
    print(f"  peak Python memory of one import: {peak / 2**20:.1f} MiB")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default="", help="an empty Postgres database to use")
    args = parser.parse_args()
    body = build_file(args.feeds)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        urls = [("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")]
        if args.postgres:
            urls.append(("Postgres", args.postgres))
        for label, url in urls:
            engine = build_engine(url)
            upgrade_database(engine)
            engine.dispose()
            runtime = open_runtime(Settings(database={"url": url}))
            runs = measure(runtime, body, max(args.rounds, 3))
            results.append(report(label, runs, peak_memory(runtime, body), args.feeds))
            empty(runtime)
            runtime.dispose()
    print(json.dumps({"bench": "opml", "results": results}))


if __name__ == "__main__":
    main()
