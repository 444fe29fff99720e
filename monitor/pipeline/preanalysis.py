"""The analysis of collected documents (matching, language, sentiment, topics), done in the
parse workers as soon as a fetch is parsed, instead of in the collector's own process.

Storing a fetch used to spend most of its CPU here, on the one core of the process that
also drives every fetch and every write. The analysis needs no database: a worker rebuilds
the same analyser from its recipe (the brands' queries, the topic rules, the languages;
cached per process) and returns the analyses by document key; ``prepare_documents`` uses
them for the documents it finds new and computes any missing one itself, so the stored
results are those of the in-process analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from collectors.document import CollectResult, Document
from collectors.parsing import run_parser
from monitor.domain.analysis import Analyser, DocumentAnalysis, compute_analysis
from monitor.domain.language import LanguageDetector
from monitor.domain.query import QuerySet
from monitor.domain.topics import TopicTagger
from monitor.pipeline.store import incoming_document, unique_by_key

Analyses = dict[str, DocumentAnalysis]
# Documents per worker task: a task stays far below the pool's time limit, and the
# analyses of a large fetch spread over the workers.
CHUNK = 40
# The analysis does not read the discovery time; documents are analysed before it is known.
_UNUSED_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AnalyserRecipe:
    """What an Analyser is built from, picklable for a worker process."""

    brands: tuple[tuple[int, str], ...]  # (brand id, query), sorted
    topics: tuple[tuple[str, str], ...]  # (topic, rule), sorted
    languages: tuple[str, ...]


def build_from_recipe(recipe: AnalyserRecipe) -> Analyser:
    return Analyser(
        brands=_compile_brands(recipe.brands),
        topics=_topic_tagger(recipe.topics),
        languages=LanguageDetector(list(recipe.languages)),
    )


@lru_cache(maxsize=8)
def _compile_brands(queries: tuple[tuple[int, str], ...]) -> QuerySet[int]:
    # Compiling thousands of queries is not free: reuse the set while the brands are unchanged.
    return QuerySet(dict(queries))


@lru_cache(maxsize=4)
def _topic_tagger(topics: tuple[tuple[str, str], ...]) -> TopicTagger:
    return TopicTagger(dict(topics))


def analyse_documents(
    recipe: AnalyserRecipe, documents: Sequence[Document], source_kind: str | None
) -> Analyses:
    """The analyses of ``documents`` (already unique by key), by key."""
    analyser = build_from_recipe(recipe)
    return {d.key: compute_analysis(analyser, incoming_document(d, source_kind, _UNUSED_TIME))
            for d in documents}


async def analyse_ahead(
    recipe: AnalyserRecipe, source_kind: str | None, result: CollectResult
) -> Analyses:
    """The analyses of a fetch's documents, computed by the parse workers (inline when
    they are few and short)."""
    kind = source_kind or result.kind
    documents = list(unique_by_key(result.documents).values())
    analyses: Analyses = {}
    for start in range(0, len(documents), CHUNK):
        chunk = documents[start:start + CHUNK]
        size = sum(len(d.text) + len(d.title) for d in chunk)
        analyses.update(await run_parser("analysis", size, analyse_documents, recipe, chunk, kind))
    return analyses
