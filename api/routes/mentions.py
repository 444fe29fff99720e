"""Brand mentions, newest first, with filters and a cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import KeyDep, SessionDep
from api.schemas import MentionOut, MentionPageOut, SentimentOut, SourceRef, ThreadRef
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.mentions import MentionFilter, MentionRow

router = APIRouter(prefix="/api/v1", tags=["mentions"])


@router.get("/mentions", response_model=MentionPageOut)
def list_mentions(
    session: SessionDep,
    _key: KeyDep,
    brand: Annotated[str | None, Query(max_length=200, description="brand name")] = None,
    sentiment: Literal["positive", "negative", "neutral", "unscored"] | None = None,
    kind: Literal["post", "comment"] | None = None,
    since: Annotated[datetime | None, Query(description="ISO 8601; naive means UTC")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
    q: Annotated[str | None, Query(max_length=500, description="text search")] = None,
    include_duplicates: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> MentionPageOut:
    filters = MentionFilter(
        brand=brand, sentiment=sentiment, kind=kind, since=_utc(since), until=_utc(until),
        q=q or None, include_duplicates=include_duplicates,
    )
    page = MentionRepository(session).list_page(filters, limit=limit, cursor=cursor)
    return MentionPageOut(items=[mention_out(r) for r in page.rows], next_cursor=page.next_cursor)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def mention_out(row: MentionRow) -> MentionOut:
    mention, doc = row.mention, row.document
    return MentionOut(
        id=mention.id, brand=row.brand.name, url=doc.url, title=doc.title, author=doc.author,
        kind=doc.kind,  # type: ignore[arg-type]
        published_at=doc.published_at, discovered_at=doc.discovered_at, snippet=mention.snippet,
        sentiment=SentimentOut(
            score=mention.sentiment_score,
            label=mention.sentiment_override or mention.sentiment_label,  # type: ignore[arg-type]
            confidence=mention.sentiment_confidence,
        ),
        topics=list(mention.topics), language=doc.language,
        source=SourceRef(id=row.source.id, name=row.source.name, url=row.source.url),
        thread=ThreadRef(url=doc.thread_url, title=doc.thread_title),
        duplicate_of=doc.duplicate_of_id, state=mention.state,
    )
