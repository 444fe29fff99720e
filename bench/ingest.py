"""Ingest throughput: the collector's own prepare → save path against plain whole-document VADER.

The corpus is generated (seeded): 2,000 blog posts of 3-8 KB and 3,000 comments of about 300
characters, 7% of them naming one of 20 brands. Each round stores the corpus afresh, 20
documents per fetch as a feed would deliver them, through ``SourceJob.prepare`` and
``SourceJob.save_result`` (matching, sentiment, topics, dedup, storage); the baseline calls
``SentimentIntensityAnalyzer().polarity_scores`` on every whole document (title and text) in
the same run. Figures are min/median of the rounds; the last line is JSON. Run::

    .venv/bin/python bench/ingest.py [--rounds 3] [--postgres postgresql+psycopg://...]

Postgres is measured when ``--postgres`` (or ``MONITOR_BENCH_POSTGRES_URL``) names a server
whose user may create databases; a scratch database is created and dropped per round.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from scratch_db import postgres_database, sqlite_database
from sqlalchemy import select
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from collectors.document import CollectResult, Document, FetchState
from monitor.config import Settings
from monitor.db.engine import build_engine, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.db.models import Source
from monitor.pipeline.analyser import load_analyser
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.jobs import SourceJob
from monitor.pipeline.maintenance import refresh_outgrown_statistics
from monitor.runtime import open_runtime

BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
          "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Gringotts", "Oscorp", "Monarch",
          "Nakatomi", "Duff", "Krusty", "Virtucon", "Zorg"]
POSTS, COMMENTS, BRAND_SHARE, PER_FETCH = 2_000, 3_000, 0.07, 20
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SUBJECTS = ["The new model", "Customer support", "The delivery", "This update", "The price",
            "Our team", "The app", "The manual", "The warranty", "Their website", "The battery",
            "Shipping", "The refund process", "The build quality", "The firmware"]
VERBS = ["was", "is", "seems", "felt", "turned out", "has been", "looks", "remains"]
OPINIONS = ["great", "terrible", "surprisingly good", "awful", "fine", "disappointing",
            "excellent", "slow", "really helpful", "broken again", "okay I guess", "amazing",
            "not bad at all", "a total mess", "better than expected", "worse than last year",
            "quite reliable", "frustrating", "perfectly adequate", "hard to recommend"]
TAILS = ["after two weeks of daily use", "compared to the previous version", "for the money",
         "when I called them on Monday", "according to most reviews I read", "in my kitchen",
         "for a small office like ours", "if you ask my neighbour", "on the second attempt",
         "despite what the forum says", "and I would buy it again", "but the box was damaged"]


@dataclass(frozen=True, slots=True)
class Corpus:
    documents: list[Document]

    @property
    def characters(self) -> int:
        return sum(len(d.title) + len(d.text) for d in self.documents)


def build_corpus(seed: int = 20261204) -> Corpus:
    rng = random.Random(seed)
    documents = [_document(rng, n, post=True) for n in range(POSTS)]
    documents += [_document(rng, n, post=False) for n in range(COMMENTS)]
    rng.shuffle(documents)
    return Corpus(documents)


def _sentence(rng: random.Random, brand: str | None = None) -> str:
    subject = rng.choice(SUBJECTS)
    if brand:
        subject = f"{subject} from {brand}" if rng.random() < 0.5 else f"{brand}'s {subject[4:]}"
    return f"{subject} {rng.choice(VERBS)} {rng.choice(OPINIONS)} {rng.choice(TAILS)}."


def _text(rng: random.Random, chars: int, brand: str | None) -> str:
    sentences: list[str] = []
    size = 0
    while size < chars:
        named = brand if brand and (not sentences or rng.random() < 0.05) else None
        sentences.append(_sentence(rng, named))
        size += len(sentences[-1]) + 1
    if brand:
        rng.shuffle(sentences)
    paragraphs = [" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6)]
    return "\n\n".join(paragraphs)


def _document(rng: random.Random, n: int, *, post: bool) -> Document:
    brand = rng.choice(BRANDS) if rng.random() < BRAND_SHARE else None
    chars = rng.randint(3_000, 8_000) if post else rng.randint(250, 350)
    kind: Literal["post", "comment"] = "post" if post else "comment"
    url = f"https://blog{n % 97}.example.com/{kind}/{n}"
    return Document(
        key=f"{kind}-{n}", url=url, kind=kind, title=_sentence(rng)[:70] if post else "",
        text=_text(rng, chars, brand), author=f"author{n % 300}",
        published_at=NOW - timedelta(minutes=n), thread_url=url if post else None,
    )


def run_vader(corpus: Corpus) -> float:
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for doc in corpus.documents:
        analyzer.polarity_scores(f"{doc.title}\n{doc.text}")
    return time.perf_counter() - started


def run_ingest(url: str, corpus: Corpus) -> float:
    """Seconds to store the corpus through the collector's path, on a fresh database."""
    settings = Settings(
        database={"url": url},
        brands=[{"name": b, "query": b} for b in BRANDS],
        sources=[{"name": "Bench feed", "url": "https://feeds.example.com/bench.xml"}],
    )
    engine = build_engine(url)
    upgrade_database(engine)
    engine.dispose()
    runtime = open_runtime(settings)
    try:
        sync_config(runtime, NOW)
        with runtime.sessions() as session:
            job = SourceJob.from_row(session.scalars(select(Source)).one())
        started = time.perf_counter()
        analyser = load_analyser(runtime)
        for low in range(0, len(corpus.documents), PER_FETCH):
            result = CollectResult(documents=corpus.documents[low:low + PER_FETCH],
                                   state=FetchState(), status=200)
            with runtime.reads() as reads:
                prepared = job.prepare(reads, analyser, result, NOW)
            with unit_of_work(runtime.sessions) as session:
                job.save_result(session, settings.collector, prepared, result, NOW)
            refresh_outgrown_statistics(runtime)  # as the collector does after each batch
        return time.perf_counter() - started
    finally:
        runtime.dispose()


def summary(label: str, seconds: list[float], docs: int) -> dict[str, float]:
    rates = sorted(docs / s for s in seconds)
    best, median = rates[-1], statistics.median(rates)
    print(f"{label:<28} {best:>9.0f} docs/s best  {median:>9.0f} median  "
          f"({', '.join(f'{s:.2f}s' for s in seconds)})")
    return {"best": round(best, 1), "median": round(median, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    corpus = build_corpus()
    docs = len(corpus.documents)
    print(f"{docs} documents, {corpus.characters / docs:.0f} characters on average, "
          f"{args.rounds} rounds")
    results: dict[str, object] = {"documents": docs}
    backends: dict[str, Callable[[], Any]] = {"sqlite": lambda: sqlite_database("bench.db")}
    if args.postgres:
        backends["postgres"] = lambda: postgres_database(args.postgres, "bench_ingest")
    # Interleaved: each round times VADER and then each backend, so a change in the load on
    # the machine weighs on the baseline and on the pipeline alike.
    times: dict[str, list[float]] = {name: [] for name in ["vader", *backends]}
    for _ in range(args.rounds):
        times["vader"].append(run_vader(corpus))
        for name, database in backends.items():
            with database() as url:
                times[name].append(run_ingest(url, corpus))
    vader = summary("plain VADER (whole doc)", times["vader"], docs)
    results["vader"] = vader
    for name in backends:
        figures = summary(f"ingest on {name}", times[name], docs)
        ratios = sorted(v / s for v, s in zip(times["vader"], times[name], strict=True))
        ratio = statistics.median(ratios)
        print(f"{'':<28} {ratio:.2f}x plain VADER (median of per-round ratios "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; target 5x)")
        results[name] = {**figures, "ratio_vs_vader": round(ratio, 2),
                         "ratio_best": round(ratios[-1], 2)}
    print(json.dumps({"bench": "ingest", **results}))


if __name__ == "__main__":
    main()
