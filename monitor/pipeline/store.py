"""Store one source's collected documents with their analysis, in the caller's transaction."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collectors.document import CollectResult, Document, SourceKind
from collectors.registry import is_kind
from monitor.db.models import Document as StoredDocument
from monitor.db.repositories import DocumentRepository, MentionRepository
from monitor.db.repositories.documents import KnownDocument
from monitor.db.repositories.mentions import DocumentFacts
from monitor.db.repositories.priorities import PriorityRepository
from monitor.domain.analysis import (
    Analyser,
    DocumentAnalysis,
    IncomingDocument,
    MentionFinding,
    compute_analysis,
)
from monitor.domain.freshness import FIRST_CRAWL_NEWS_WINDOW, decide_backfill
from monitor.domain.priority import merge_engagement
from monitor.pipeline.duplicates import link_near_duplicates

KEY_LIMIT = 700


@dataclass(frozen=True, slots=True)
class StoreReport:
    new_documents: int
    new_mentions: int
    detected_kind: str | None


def as_source_kind(kind: str | None) -> SourceKind | None:
    return kind if is_kind(kind) else None


@dataclass(frozen=True, slots=True)
class PreparedDocuments:
    """A fetch's new documents, analysed before any write lock is taken."""

    kind: str | None
    analysed: list[tuple[Document, DocumentAnalysis]]
    first_fetch: bool
    backfill_keys: frozenset[str] = frozenset()  # history whatever its date (see CollectResult)
    # What a first fetch found published this recently is news (see ``decide_backfill``).
    news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW
    # Stored items whose engagement this fetch read anew: (document id, figures to store).
    engagement_changes: tuple[tuple[int, dict[str, Any]], ...] = ()


def prepare_documents(
    reads: Session, analyser: Analyser, source_kind: str | None, result: CollectResult,
    now: datetime, *, first_fetch: bool = False,
    news_window: timedelta = FIRST_CRAWL_NEWS_WINDOW,
    analysed_ahead: Mapping[str, DocumentAnalysis] | None = None,
) -> PreparedDocuments:
    """Analyse the documents not stored yet (read-only: the CPU work holds no lock).

    ``analysed_ahead``: analyses already computed (by key, as ``unique_by_key`` gives them,
    with the same analyser and source kind), e.g. in a parse worker; the others are
    computed here."""
    kind = source_kind or result.kind
    documents = unique_by_key(result.documents)
    known = DocumentRepository(reads).stored_documents(documents)
    fresh = [d for k, d in documents.items() if k not in known]
    ahead = analysed_ahead or {}
    analysed = [(d, ahead.get(d.key) or compute_analysis(analyser, incoming_document(d, kind, now)))
                for d in fresh]
    return PreparedDocuments(kind, analysed, first_fetch, result.backfill_keys, news_window,
                             _engagement_changes(documents, known))


def _engagement_changes(documents: dict[str, Document], known: dict[str, KnownDocument]
                        ) -> tuple[tuple[int, dict[str, Any]], ...]:
    """Stored items this fetch read new engagement figures for (a re-fetched thread's
    scores and comment counts move; priority's velocity reads them)."""
    changes = []
    for key, stored in known.items():
        read = documents[key].engagement
        merged = merge_engagement(stored.engagement, read) if read else None
        if merged is not None:
            changes.append((stored.id, merged))
    return tuple(changes)


def save_documents(
    session: Session, prepared: PreparedDocuments, source_id: int, now: datetime
) -> StoreReport:
    """Insert the prepared documents (a concurrent worker's copies are skipped), with their
    mentions; return what was new."""
    kind, analysed, first_fetch = prepared.kind, prepared.analysed, prepared.first_fetch
    rows = [_document_row(d, a, source_id, now) for d, a in analysed]
    inserted = DocumentRepository(session).insert_new(rows)
    link_near_duplicates(session, [(inserted[d.key], a.fingerprint) for d, a in analysed
                                   if d.key in inserted and a.fingerprint is not None])
    mention_rows = [
        mention_row(inserted[d.key], sort_time(d.published_at, now), finding, now,
                    backfill=decide_backfill(first_fetch=first_fetch
                                             or d.key in prepared.backfill_keys,
                                             published_at=d.published_at, now=now,
                                             news_window=prepared.news_window))
        for d, a in analysed if d.key in inserted
        for finding in a.mentions
    ]
    facts = {inserted[row["key"]]: DocumentFacts(row["url"], row["author"], row["thread_url"],
                                                 row["engagement"])
             for row in rows if row["key"] in inserted}
    new_mentions = MentionRepository(session).insert_many(mention_rows, facts)
    DocumentRepository(session).update_engagement(prepared.engagement_changes, now)
    priorities = PriorityRepository(session)
    priorities.refresh_after_insert(inserted.values())
    priorities.refresh([doc_id for doc_id, _ in prepared.engagement_changes])
    return StoreReport(len(inserted), new_mentions, kind)


def unique_by_key(documents: list[Document]) -> dict[str, Document]:
    unique: dict[str, Document] = {}
    for document in documents:
        key = fit_key(document.key)
        if key != document.key:
            document = dataclasses.replace(document, key=key)
        unique.setdefault(key, document)
    return unique


def incoming_document(
    doc: Document | StoredDocument, source_kind: str | None, discovered_at: datetime
) -> IncomingDocument:
    """What the analysis needs of a collected or stored document."""
    return IncomingDocument(
        key=doc.key, url=doc.url, kind=doc.kind, title=doc.title, text=doc.text,
        author=doc.author, published_at=doc.published_at, discovered_at=discovered_at,
        source_kind=source_kind, language=doc.language,
    )


def _document_row(
    doc: Document, analysis: DocumentAnalysis, source_id: int, now: datetime
) -> dict[str, Any]:
    return {
        "source_id": source_id, "key": doc.key, "url": _fit(doc.url, 2000),
        "kind": doc.kind, "author": _fit(doc.author, 300), "published_at": doc.published_at,
        "discovered_at": now, "title": _clean(doc.title), "text": _clean(doc.text),
        "thread_url": _fit(doc.thread_url, 2000), "thread_title": _clean(doc.thread_title),
        "parent_key": fit_key(doc.parent_key) if doc.parent_key else None,
        "language": _fit(analysis.language, 10), "engagement": dict(doc.engagement),
        "content_hash": analysis.content_hash, "sentiment_score": _score(analysis),
        "duplicate_of_id": None,
    }


def _score(analysis: DocumentAnalysis) -> float | None:
    return None if analysis.sentiment is None else analysis.sentiment.score


def _clean(text: str | None) -> str | None:
    # Postgres refuses NUL in text; crawled pages do contain them.
    return text.replace("\x00", "") if text else text


def _fit(value: str | None, limit: int) -> str | None:
    cleaned = _clean(value)
    return cleaned[:limit] if cleaned else cleaned


def fit_key(key: str) -> str:
    """A key within its column; an overlong one keeps its start and a hash of the whole."""
    key = key.replace("\x00", "")
    if len(key) <= KEY_LIMIT:
        return key
    return key[:KEY_LIMIT - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


def sort_time(published_at: datetime | None, now: datetime) -> datetime:
    # A clock-skewed or bogus future date must not pin a mention to the top of every listing.
    return min(published_at, now) if published_at else now


def mention_row(
    document_id: int, sort_at: datetime, finding: MentionFinding, now: datetime,
    *, backfill: bool = True,
) -> dict[str, Any]:
    return {
        "document_id": document_id, "brand_id": finding.brand_id, "sort_at": sort_at,
        "spans": [[s.field, s.start, s.end] for s in finding.spans],
        "snippet": finding.snippet, "sentiment_score": finding.sentiment.score,
        "sentiment_label": finding.sentiment.label,
        "sentiment_confidence": finding.sentiment.confidence, "sentiment_override": None,
        "topics": finding.topics, "created_at": now,
        "backfill": backfill,
    }
