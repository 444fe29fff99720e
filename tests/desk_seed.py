"""Test data for the desk: sources, brands, documents and mentions stored the real way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.db.engine import unit_of_work
from monitor.db.repositories import (
    ApiKeyRepository,
    BrandRepository,
    DocumentRepository,
    MentionRepository,
    SourceRepository,
)
from monitor.db.repositories.brands import BrandSpec
from monitor.db.repositories.priorities import PriorityRepository
from monitor.db.repositories.sources import SourceSpec
from monitor.runtime import Runtime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Doc:
    """One document and the brands it mentions, with everything a test may want to vary."""

    key: str
    at: datetime
    brands: dict[str, str] = field(default_factory=lambda: {"Acme": "neutral"})  # → label
    title: str = ""
    text: str = "Acme makes espresso machines."
    author: str | None = "nadia"
    kind: str = "post"
    url: str | None = None
    thread_url: str | None = None
    thread_title: str | None = None
    parent_key: str | None = None
    language: str | None = "en"
    engagement: dict[str, int] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    snippet: str | None = None
    score: float = 0.0
    source: str = "https://forum.example/latest.rss"
    spans: list[list[Any]] | None = None


SOURCES = {
    "https://forum.example/latest.rss": ("Coffee forum", "discourse"),
    "https://www.reddit.com/r/espresso/.rss": ("r/espresso", "reddit"),
    "https://blog.example.org/feed/": ("Brew blog", "rss"),
}


def seed(runtime: Runtime, docs: list[Doc], brands: tuple[str, ...] = ("Acme", "Globex")
         ) -> dict[str, int]:
    """Store ``docs`` with their mentions; returns document key → mention id (first brand)."""
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).sync_from_config(
            [SourceSpec(name, url, kind, timedelta(minutes=30))
             for url, (name, kind) in SOURCES.items()], NOW)
        BrandRepository(session).sync_from_config([BrandSpec(b, b) for b in brands], NOW)
        source_ids = {s.url: s.id for s in SourceRepository(session).list_all()}
        brand_ids = {b.name: b.id for b in BrandRepository(session).list_all()}
        doc_ids = DocumentRepository(session).insert_new(
            [_document_row(d, source_ids[d.source]) for d in docs])
        rows = [_mention_row(d, doc_ids[d.key], brand_ids[brand], label)
                for d in docs for brand, label in d.brands.items()]
        MentionRepository(session).insert_many(rows)
        PriorityRepository(session).refresh_after_insert(doc_ids.values())  # as ingest does
    return mention_ids(runtime)


def mention_ids(runtime: Runtime) -> dict[str, int]:
    from sqlalchemy import select

    from monitor.db.models import Document, Mention

    with runtime.sessions() as session:
        rows = session.execute(select(Document.key, Mention.id).join(
            Mention, Mention.document_id == Document.id).order_by(Mention.id))
        found: dict[str, int] = {}
        for key, mention_id in rows:
            found.setdefault(key, mention_id)
        return found


def _document_row(doc: Doc, source_id: int) -> dict[str, Any]:
    url = doc.url or f"https://forum.example/t/{doc.key}"
    return {
        "source_id": source_id, "key": doc.key, "url": url, "kind": doc.kind,
        "author": doc.author, "published_at": doc.at, "discovered_at": doc.at,
        "title": doc.title, "text": doc.text, "thread_url": doc.thread_url,
        "thread_title": doc.thread_title, "parent_key": doc.parent_key,
        "language": doc.language, "engagement": dict(doc.engagement),
        "content_hash": doc.key.ljust(64, "0")[:64], "sentiment_score": doc.score,
        "duplicate_of_id": None,
    }


def _mention_row(doc: Doc, document_id: int, brand_id: int, label: str) -> dict[str, Any]:
    start = doc.text.find("Acme")
    spans = doc.spans if doc.spans is not None else (
        [["text", start, start + 4]] if start >= 0 else [])
    return {
        "document_id": document_id, "brand_id": brand_id, "sort_at": doc.at, "spans": spans,
        "snippet": doc.snippet if doc.snippet is not None else doc.text[:200],
        "sentiment_score": doc.score, "sentiment_label": label, "sentiment_confidence": 0.5,
        "sentiment_override": None, "topics": list(doc.topics),
        "created_at": doc.at,
    }


def make_key(runtime: Runtime, scopes: list[str], name: str = "tests") -> str:
    with unit_of_work(runtime.sessions) as session:
        return ApiKeyRepository(session).create(name, scopes, NOW).key


def seed_alert(runtime: Runtime, *, title: str, brand: str | None = "Acme",
               severity: str = "warning", state: str = "open",
               created_at: datetime = NOW, samples: list[dict[str, Any]] | None = None,
               deliveries: tuple[str, ...] = ()) -> int:
    """Store one alert as detection would (with its explanation record) and its deliveries."""
    from monitor.db.models_alerts import Alert
    from monitor.db.repositories.alerts import AlertRepository

    explanation = {
        "summary": f"{title}: mostly negative", "figures": {
            "unit": "mentions", "observed": 42.0, "expected": 6.0,
            "window_start": (created_at - timedelta(hours=1)).isoformat(),
            "window_end": created_at.isoformat(), "baseline_method": "hour_of_week",
            "p_value": 0.0001, "window_mentions": 42},
        "sentiment": {"positive": 4, "neutral": 8, "negative": 30},
        "top_terms": [["recall", 20], ["refund", 9]], "top_topics": [["quality", 12]],
        "top_sources": [["r/espresso", 30]],
        "top_threads": [["https://forum.example/t/recall", "Recall?", "Coffee forum", 12, 9]],
        "samples": samples or [],
    }
    with unit_of_work(runtime.sessions) as session:
        repo = AlertRepository(session)
        found = BrandRepository(session).get_by_name(brand) if brand else None
        brand_id = found.id if found else None
        alert = repo.add(Alert(
            brand_id=brand_id, subject_id=None, subject=brand or "Coffee forum",
            kind="volume_spike", severity=severity, state=state, title=title,
            summary=explanation["summary"], window_start=created_at - timedelta(hours=1),
            window_end=created_at, mention_count=42, explanation=explanation,
            notifications=len(deliveries), created_at=created_at, last_seen_at=created_at,
            updated_at=created_at))
        repo.enqueue([{"key": f"{alert.id}:{channel}", "alert_id": alert.id,
                       "channel": channel, "severity": severity, "status": status,
                       "payload": {}, "attempts": 1, "next_attempt_at": created_at,
                       "created_at": created_at, "last_status_code": 200}
                      for channel, status in (d.split(":") for d in deliveries)])
        return alert.id
