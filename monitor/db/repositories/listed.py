"""A mention as listings show it: plain columns of the mention, its item, brand and source.

Building ORM objects (four per row, with their JSON columns decoded) was most of a listing's
CPU; a listing needs none of their behaviour, so it reads only these columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from monitor.db.models import Brand, Document, Mention, Source


@dataclass(frozen=True, slots=True)
class ListedMention:
    id: int
    brand: str
    sort_at: datetime
    snippet: str
    sentiment_score: float
    sentiment_label: str
    sentiment_confidence: float
    sentiment_override: str | None
    topics: list[Any]
    site: str
    engagement: int
    hidden_by_id: int | None
    mention_priority: int  # the mention's copy, which the priority order sorts on
    document_id: int
    url: str
    title: str
    author: str | None
    kind: str
    published_at: datetime | None
    discovered_at: datetime
    language: str | None
    thread_url: str | None
    thread_title: str | None
    thread_id: int | None
    duplicate_of_id: int | None
    state: str
    snoozed_until: datetime | None
    priority: int
    priority_reasons: list[Any]
    source_id: int
    source_name: str
    source_url: str


# In the order of ListedMention's fields.
LISTED_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Mention.id, Brand.name, Mention.sort_at, Mention.snippet, Mention.sentiment_score,
    Mention.sentiment_label, Mention.sentiment_confidence, Mention.sentiment_override,
    Mention.topics, Mention.site, Mention.engagement, Mention.hidden_by_id, Mention.priority,
    Document.id, Document.url, Document.title, Document.author, Document.kind,
    Document.published_at, Document.discovered_at, Document.language, Document.thread_url,
    Document.thread_title, Document.thread_id, Document.duplicate_of_id, Document.state,
    Document.snoozed_until, Document.priority, Document.priority_reasons, Source.id,
    Source.name, Source.url,
)
