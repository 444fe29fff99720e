"""Try a query on the stored documents before saving it: counts for 7 and 30 days, samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from collectors import registry
from monitor.db.repositories.mention_sync import MentionSyncRepository
from monitor.domain.analysis import compute_brand_findings
from monitor.domain.matching import check_query
from monitor.pipeline.analyser import build_analyser
from monitor.pipeline.store import incoming_document
from monitor.runtime import Runtime

PREVIEW_KEY = 0  # the query under test is compiled alone, under a key no brand uses
BATCH = 500


@dataclass(frozen=True, slots=True)
class PreviewSample:
    url: str
    title: str
    snippet: str
    published_at: datetime | None
    sentiment: str


@dataclass(slots=True)
class QueryPreview:
    query: str
    last_7_days: int = 0
    last_30_days: int = 0
    samples: list[PreviewSample] = field(default_factory=list)


def preview_query(
    runtime: Runtime, query: str, *, now: datetime | None = None, samples: int = 5
) -> QueryPreview:
    """Count the stored documents of the last 30 days that ``query`` matches (raises
    ValueError naming the position when it does not parse)."""
    check_query(query, registry.kind_names())
    now = now or datetime.now(UTC)
    analyser = build_analyser(runtime.settings, {PREVIEW_KEY: query})
    preview, week_ago = QueryPreview(query), now - timedelta(days=7)
    with runtime.reads() as session:
        repo, last_id = MentionSyncRepository(session), 0
        while batch := repo.documents_after(last_id, BATCH, since=now - timedelta(days=30)):
            for doc, kind in batch:
                found = compute_brand_findings(
                    analyser, incoming_document(doc, kind, doc.discovered_at), doc.language)
                if not found:
                    continue
                preview.last_30_days += 1
                seen_at = doc.published_at or doc.discovered_at
                preview.last_7_days += seen_at >= week_ago
                if len(preview.samples) < samples:
                    preview.samples.append(PreviewSample(
                        doc.url, doc.title, found[0].snippet, doc.published_at,
                        found[0].sentiment.label))
            last_id = batch[-1][0].id
    return preview
