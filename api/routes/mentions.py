"""Brand mentions: search and filters with a cursor, one mention in context, triage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from api.deps import ReadDep, SessionDep, WriteDep
from api.schemas import (
    ERROR_RESPONSES,
    BulkIn,
    BulkOut,
    ContextOut,
    MentionDetailOut,
    MentionOut,
    MentionPageOut,
    MentionPatchIn,
    NoteOut,
    SentimentOut,
    SourceKindName,
    SourceRef,
    ThreadRef,
)
from monitor.db.models import Mention
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.listed import ListedMention
from monitor.db.repositories.mentions import MentionFilter, compute_shown_state
from monitor.errors import InvalidInputError

router = APIRouter(prefix="/api/v1", tags=["mentions"], responses=ERROR_RESPONSES)
MAX_BULK = 10_000
MentionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="mention id")]
Sentiment = Literal["positive", "negative", "neutral", "unscored"]
State = Literal["new", "seen", "needs_reply", "replied", "ignored", "snoozed"]


def as_utc(moment: datetime | None) -> datetime | None:
    """Naive means UTC; an instant no UTC calendar can hold is a 422, not a crash."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInputError(f"{moment.isoformat()} is out of range") from None


async def mention_filters(
    brand: Annotated[str | None, Query(max_length=200, description="brand name")] = None,
    sentiment: Annotated[Sentiment | None, Query(description="label as shown")] = None,
    kind: Annotated[Literal["post", "comment"] | None, Query()] = None,
    source_kind: Annotated[SourceKindName | None, Query(description="kind of source")] = None,
    site: Annotated[str | None, Query(max_length=255, description="host, subdomains too")] = None,
    author: Annotated[str | None, Query(max_length=300)] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    state: Annotated[State | None, Query(description="inbox state as shown")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    language: Annotated[str | None, Query(max_length=10, description="ISO 639-1")] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601; naive means UTC")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
    q: Annotated[str | None, Query(max_length=500, description="full-text: every word, "
                                   "as a word prefix, in the title or text")] = None,
    include_duplicates: bool = False,
    include_hidden: Annotated[bool, Query(description="show muted mentions too")] = False,
    source: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="a source's id")
                      ] = None,
    alert: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="an alert's id: "
                                       "exactly the mentions behind it")] = None,
) -> MentionFilter:
    return MentionFilter(
        brand=brand or None, sentiment=sentiment, kind=kind, since=as_utc(since),
        until=as_utc(until), q=q or None, include_duplicates=include_duplicates,
        source_kind=source_kind, site=site or None, author=author or None, topic=topic or None,
        state=state, tag=(tag or "").strip().lower() or None, language=language or None,
        include_hidden=include_hidden, source=source, alert=alert,
    )


FiltersDep = Annotated[MentionFilter, Depends(mention_filters)]


@router.get("/mentions", response_model=MentionPageOut, summary="Search and list mentions")
def list_mentions(
    session: SessionDep,
    _who: ReadDep,
    filters: FiltersDep,
    sort: Annotated[Literal["time", "engagement", "priority"], Query(
        description="newest, most engaged, or most urgent first (`priority`: see "
                    "`priority_reasons`; ties newest id first)")] = "time",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> MentionPageOut:
    """Mentions matching every given filter, newest (or most engaged, or most urgent) first.

    Pages are stable while new mentions arrive: pass `next_cursor` back as `cursor`.
    """
    page = MentionRepository(session).list_page(filters, limit=limit, cursor=cursor, sort=sort)
    tags = InboxRepository(session).item_tags_for(sorted({r.document_id for r in page.rows}))
    now = datetime.now(UTC)
    items = [mention_out(r, tags.get(r.document_id, []), now) for r in page.rows]
    return MentionPageOut(items=items, next_cursor=page.next_cursor)


@router.get("/mentions/{mention_id}", response_model=MentionDetailOut,
            summary="One mention with its text, notes and thread context")
def get_mention(mention_id: MentionId, session: SessionDep, _who: ReadDep) -> MentionDetailOut:
    return mention_detail(session, mention_id)


@router.patch("/mentions/{mention_id}", response_model=MentionDetailOut,
              summary="Triage a mention: state, snooze, tags, note, sentiment override")
def patch_mention(
    mention_id: MentionId, body: MentionPatchIn, session: SessionDep, who: WriteDep
) -> MentionDetailOut:
    """Only the fields sent change. `sentiment: null` clears an override."""
    MentionRepository(session).get_row(mention_id)
    now = datetime.now(UTC)
    sent = body.model_fields_set
    change = TriageChange(
        state=body.state, snoozed_until=body.snoozed_until,
        set_tags=list(body.tags) if body.tags is not None else None,
        change_sentiment="sentiment" in sent, sentiment=body.sentiment,
    )
    inbox = InboxRepository(session)
    inbox.apply([mention_id], change, now)
    if body.note:
        inbox.add_note(mention_id, who.display_name, body.note, now)
    return mention_detail(session, mention_id)


@router.post("/mentions/bulk", response_model=BulkOut,
             summary="Triage many mentions at once, by ids or by filter")
def bulk_mentions(body: BulkIn, session: SessionDep, _who: WriteDep) -> BulkOut:
    """Give `ids`, or `filter` (the listing's filters): not both."""
    if (body.ids is None) == (body.filter is None):
        raise InvalidInputError("give either ids or filter")
    if body.sentiment is not None and body.clear_sentiment:
        raise InvalidInputError("give sentiment or clear_sentiment, not both")
    ids, truncated = _bulk_targets(session, body)
    change = TriageChange(
        state=body.state, snoozed_until=body.snoozed_until, add_tags=list(body.add_tags),
        remove_tags=list(body.remove_tags),
        change_sentiment=body.sentiment is not None or body.clear_sentiment,
        sentiment=body.sentiment,
    )
    updated = InboxRepository(session).apply(ids, change, datetime.now(UTC))
    return BulkOut(matched=len(set(ids)), updated=updated, truncated=truncated)


def _bulk_targets(session: SessionDep, body: BulkIn) -> tuple[list[int], bool]:
    if body.ids is not None:
        return list(body.ids), False
    assert body.filter is not None
    raw = body.filter.model_dump()
    raw["since"], raw["until"] = as_utc(raw["since"]), as_utc(raw["until"])
    ids = MentionRepository(session).ids_matching(MentionFilter(**raw), limit=MAX_BULK + 1)
    return ids[:MAX_BULK], len(ids) > MAX_BULK


def mention_detail(session: SessionDep, mention_id: int) -> MentionDetailOut:
    detail = MentionRepository(session).get_detail(mention_id)
    row, parent = detail.listed, detail.parent
    # Tags and notes belong to the item (the document), whose id the row already holds.
    inbox = InboxRepository(session)
    return MentionDetailOut(
        **mention_fields(row, inbox.item_tags_for([row.document_id]).get(row.document_id, []),
                         datetime.now(UTC)),
        text=detail.text, spans=detail.spans,
        notes=[NoteOut.model_validate(n) for n in inbox.item_notes_for(row.document_id)],
        context=ContextOut(
            parent_author=parent.author if parent else None,
            parent_text=parent.text[:2000] if parent else None,
            parent_url=parent.url if parent else None,
            thread_title=row.thread_title, thread_url=row.thread_url,
        ),
    )


def mention_out(row: ListedMention, tags: list[str], now: datetime) -> MentionOut:
    return MentionOut(**mention_fields(row, tags, now))


def mention_fields(row: ListedMention, tags: list[str], now: datetime) -> dict[str, Any]:
    """A listed mention's fields as the API shows them (a detail adds its own to these)."""
    return dict(
        id=row.id, brand=row.brand, url=row.url, title=row.title, author=row.author,
        kind=row.kind, published_at=row.published_at, discovered_at=row.discovered_at,
        snippet=row.snippet,
        sentiment=SentimentOut(score=row.sentiment_score,
                               label=row.sentiment_override or row.sentiment_label,
                               confidence=row.sentiment_confidence),
        sentiment_override=row.sentiment_override,
        topics=list(row.topics), language=row.language,
        source=SourceRef(id=row.source_id, name=row.source_name, url=row.source_url),
        thread=ThreadRef(url=row.thread_url, title=row.thread_title), thread_id=row.thread_id,
        duplicate_of=row.duplicate_of_id,
        state=compute_shown_state(row.state, row.snoozed_until, now),
        snoozed_until=row.snoozed_until if row.state == "snoozed" else None,
        tags=tags, site=row.site, engagement=row.engagement, muted_by=row.hidden_by_id,
        priority=row.priority, priority_reasons=list(row.priority_reasons),
    )


def sentiment_out(mention: Mention) -> SentimentOut:
    return SentimentOut(
        score=mention.sentiment_score,
        label=mention.sentiment_override or mention.sentiment_label,
        confidence=mention.sentiment_confidence,
    )
