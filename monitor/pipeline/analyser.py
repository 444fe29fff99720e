"""Build the analyser from the stored brands, once per cycle, so edits apply without restart."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from monitor.config import Settings
from monitor.db.repositories import BrandRepository
from monitor.domain.analysis import Analyser
from monitor.domain.language import LanguageDetector
from monitor.domain.query import QuerySet
from monitor.domain.topics import DEFAULT_TOPICS, TopicTagger
from monitor.runtime import Runtime


def load_analyser(runtime: Runtime) -> Analyser:
    """An analyser for every enabled brand."""
    with runtime.reads() as session:
        brands = {b.id: b.query for b in BrandRepository(session).list_all(enabled_only=True)}
    return build_analyser(runtime.settings, brands)


def build_analyser(settings: Settings, brand_queries: Mapping[int, str]) -> Analyser:
    return Analyser(
        brands=_compile_brands(tuple(sorted(brand_queries.items()))),
        topics=_topic_tagger(tuple(sorted((settings.topics or DEFAULT_TOPICS).items()))),
        languages=LanguageDetector(list(settings.collector.languages)),
    )


@lru_cache(maxsize=8)
def _compile_brands(queries: tuple[tuple[int, str], ...]) -> QuerySet[int]:
    # Compiling thousands of queries is not free: reuse the set while the brands are unchanged.
    return QuerySet(dict(queries))


@lru_cache(maxsize=4)
def _topic_tagger(topics: tuple[tuple[str, str], ...]) -> TopicTagger:
    return TopicTagger(dict(topics))
