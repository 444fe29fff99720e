"""Source suggestions from the last weeks of collected mentions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.db.repositories.suggestions import SuggestionRepository
from monitor.domain.suggestions import Suggestion, compute_suggestions
from monitor.runtime import Runtime

WINDOW = timedelta(days=30)


def suggest_sources(runtime: Runtime, *, now: datetime | None = None,
                    minimum: int = 2) -> list[Suggestion]:
    since = (now or datetime.now(UTC)) - WINDOW
    with runtime.reads() as session:
        repo = SuggestionRepository(session)
        return compute_suggestions(repo.evidence_since(since), repo.followed_hosts(),
                                   minimum=minimum)
