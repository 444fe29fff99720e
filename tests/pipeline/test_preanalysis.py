"""Documents analysed in the parse workers are analysed exactly as in the collector's process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.document import CollectResult, Document, FetchState
from collectors.parsing import ParsePool, set_default_pool
from monitor.config import Settings
from monitor.domain.analysis import compute_analysis
from monitor.pipeline.analyser import (
    analyser_recipe,
    build_analyser,
    load_analyser,
    load_recipe,
)
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.preanalysis import analyse_ahead, analyse_documents, build_from_recipe
from monitor.pipeline.store import incoming_document, prepare_documents, unique_by_key
from monitor.runtime import Runtime

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled_mentions.jsonl"
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def _labelled() -> tuple[dict[int, str], list[Document]]:
    """Brands and documents from the labelled sentiment set, in its several languages, plus
    documents naming no brand and one with an overlong key."""
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    brands: dict[int, str] = {}
    documents = []
    for n, row in enumerate(rows[:120]):
        query = " OR ".join(f'"{t}"' for t in row["brand_terms"])
        brand_id = next((k for k, v in brands.items() if v == query), len(brands) + 1)
        brands[brand_id] = query
        documents.append(Document(key=f"k{n}", url=f"https://e.example.com/{n}", kind="post",
                                  title=row["title"], text=row["text"]))
    documents += [
        Document(key="plain", url="https://e.example.com/p", kind="comment", title="",
                 text="Nothing to see here. " * 40),
        Document(key="x" * 900, url="https://e.example.com/long", kind="post", title="Long",
                 text=documents[0].text),
        Document(key="k0", url="https://e.example.com/dup", kind="post", title="Dup",
                 text="A second copy under the same key is not analysed."),
    ]
    return brands, documents


@pytest.fixture
def worker_pool() -> Iterator[ParsePool]:
    pool = ParsePool(workers=2, inline_below_bytes=0)
    previous = set_default_pool(pool)
    yield pool
    set_default_pool(previous)
    pool.close()


def test_worker_analyses_equal_the_in_process_ones(worker_pool: ParsePool) -> None:
    brands, documents = _labelled()
    settings = Settings()
    recipe = analyser_recipe(settings, brands)
    result = CollectResult(documents, FetchState(), 200)
    ahead = asyncio.run(analyse_ahead(recipe, "rss", result))
    analyser = build_analyser(settings, brands)
    in_process = {k: compute_analysis(analyser, incoming_document(d, "rss", NOW))
                  for k, d in unique_by_key(documents).items()}
    assert ahead == in_process
    assert len(ahead) == len(documents) - 1  # the second "k0" is not analysed
    assert sum(len(a.mentions) for a in ahead.values()) > 50  # the set does name its brands


def test_the_recipe_builds_the_same_analyser() -> None:
    brands, documents = _labelled()
    settings = Settings()
    built = build_from_recipe(analyser_recipe(settings, brands))
    direct = build_analyser(settings, brands)
    assert analyse_documents(analyser_recipe(settings, brands), documents[:30], None) == {
        d.key: compute_analysis(direct, incoming_document(d, None, NOW)) for d in documents[:30]
    }
    assert built.brands is direct.brands


def test_prepared_documents_are_the_same_with_analyses_ahead(
    runtime: Runtime, worker_pool: ParsePool
) -> None:
    brands, documents = _labelled()
    settings = Settings(database=runtime.settings.database.model_dump(),
                        brands=[{"name": f"B{k}", "query": q} for k, q in brands.items()])
    configured = Runtime(settings, runtime.engine, runtime.sessions)
    sync_config(configured)
    analyser, recipe = load_analyser(configured), load_recipe(configured)
    result = CollectResult(documents, FetchState(), 200)
    ahead = asyncio.run(analyse_ahead(recipe, "rss", result))
    with configured.reads() as reads:
        plain = prepare_documents(reads, analyser, "rss", result, NOW, first_fetch=True)
        with_ahead = prepare_documents(reads, analyser, "rss", result, NOW, first_fetch=True,
                                       analysed_ahead=ahead)
    assert with_ahead == plain
    assert any(a.mentions for _, a in plain.analysed)
