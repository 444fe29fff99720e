"""Build the analyser from the stored brands, once per cycle, so edits apply without restart."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.config import Settings
from monitor.db.repositories import BrandRepository
from monitor.domain.analysis import Analyser
from monitor.domain.topics import DEFAULT_TOPICS
from monitor.pipeline.preanalysis import AnalyserRecipe, build_from_recipe
from monitor.runtime import Runtime


def load_analyser(runtime: Runtime) -> Analyser:
    """An analyser for every enabled brand."""
    return build_from_recipe(load_recipe(runtime))


def load_recipe(runtime: Runtime) -> AnalyserRecipe:
    """What the analyser for every enabled brand is built from (for the parse workers too)."""
    with runtime.reads() as session:
        brands = {b.id: b.query for b in BrandRepository(session).list_all(enabled_only=True)}
    return analyser_recipe(runtime.settings, brands)


def build_analyser(settings: Settings, brand_queries: Mapping[int, str]) -> Analyser:
    return build_from_recipe(analyser_recipe(settings, brand_queries))


def analyser_recipe(settings: Settings, brand_queries: Mapping[int, str]) -> AnalyserRecipe:
    return AnalyserRecipe(
        brands=tuple(sorted(brand_queries.items())),
        topics=tuple(sorted((settings.topics or DEFAULT_TOPICS).items())),
        languages=tuple(settings.collector.languages),
    )
