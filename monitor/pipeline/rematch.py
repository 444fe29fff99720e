"""Re-match stored documents when a brand's query changes: add, refresh and remove mentions.

A user's triage (state, tags, sentiment override) survives on mentions that still match.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.db.models import Brand, Document, Mention
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.counted_writes import lock_counted_writes
from monitor.db.repositories.mention_sync import MentionSyncRepository
from monitor.db.repositories.priorities import PriorityRepository
from monitor.domain.analysis import MentionFinding, compute_brand_findings
from monitor.pipeline.analyser import build_analyser
from monitor.pipeline.store import incoming_document, mention_row, sort_time
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(slots=True)
class RematchReport:
    added: int = 0
    updated: int = 0
    removed: int = 0


def rematch_brand(runtime: Runtime, brand_id: int, *, now: datetime | None = None) -> RematchReport:
    """Bring brand ``brand_id``'s mentions in line with its current query over all documents."""
    now = now or datetime.now(UTC)
    report = RematchReport()
    with runtime.sessions() as session:
        brand = session.get(Brand, brand_id)
        if brand is None or not brand.enabled:
            return report
        analyser = build_analyser(runtime.settings, {brand.id: brand.query})
        repo, last_id = MentionSyncRepository(session), 0
        while batch := repo.documents_after(last_id, BATCH):
            docs = [doc for doc, _kind in batch]
            existing = repo.mentions_of(brand_id, [d.id for d in docs])
            findings = {
                doc.id: compute_brand_findings(
                    analyser, incoming_document(doc, kind, doc.discovered_at), doc.language)
                for doc, kind in batch
            }
            _apply(session_repo=repo, mentions=MentionRepository(session), batch=docs,
                   existing=existing, findings=findings, now=now, report=report)
            session.commit()  # one batch per transaction: a long backfill never holds the lock
            last_id = docs[-1].id
    log.info("brand re-matched", extra={"brand_id": brand_id, "added": report.added,
                                         "removed": report.removed})
    return report


def _apply(
    *, session_repo: MentionSyncRepository, mentions: MentionRepository, batch: list[Document],
    existing: dict[int, Mention], findings: dict[int, list[MentionFinding]], now: datetime,
    report: RematchReport,
) -> None:
    lock_counted_writes(mentions.session)
    new_rows, stale = [], []
    for doc in batch:
        found, mention = findings[doc.id], existing.get(doc.id)
        if found and mention is None:
            new_rows.append(mention_row(doc.id, sort_time(doc.published_at, doc.discovered_at),
                                        found[0], now))
        elif found and mention is not None:
            _refresh(mention, found[0])
            report.updated += 1
        elif mention is not None:
            stale.append(mention.id)
    session_repo.delete(stale)
    session_repo.flush()
    report.added += mentions.insert_many(new_rows)
    report.removed += len(stale)
    PriorityRepository(mentions.session).refresh([doc.id for doc in batch])


def _refresh(mention: Mention, finding: MentionFinding) -> None:
    """New spans, snippet and computed sentiment; the user's state, tags and override stay."""
    mention.spans = [[s.field, s.start, s.end] for s in finding.spans]
    mention.snippet = finding.snippet
    mention.sentiment_score = finding.sentiment.score
    mention.sentiment_label = finding.sentiment.label
    mention.sentiment_confidence = finding.sentiment.confidence
    mention.topics = finding.topics

