"""The inbox: one entry per item (post or comment) with every brand it names; item triage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import ReadDep, SessionDep, WriteDep
from api.routes.mentions import FiltersDep, sentiment_out
from api.schemas import ERROR_RESPONSES, ContextOut, NoteOut, SourceRef, ThreadRef
from api.schemas_desk import (
    ItemDetailOut,
    ItemMentionOut,
    ItemOut,
    ItemPageOut,
    ItemPatchIn,
)
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.items import ItemRepository, ItemRow, lead_mention
from monitor.db.repositories.mentions import compute_shown_state
from monitor.domain.needs_reply import detect_needs_reply

router = APIRouter(prefix="/api/v1", tags=["inbox"], responses=ERROR_RESPONSES)
ItemId = Annotated[int, Path(ge=1, le=2_147_483_647, description="item (document) id")]


@router.get("/inbox", response_model=ItemPageOut, summary="The inbox: one entry per item")
def list_items(
    session: SessionDep,
    _who: ReadDep,
    filters: FiltersDep,
    sort: Annotated[Literal["time", "engagement", "priority"], Query(
        description="newest, most engaged, or most urgent first (`priority`: see "
                    "`priority_reasons`; ties newest id first)")] = "time",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> ItemPageOut:
    """Items (posts and comments) with a mention matching every given filter; each lists all
    the brands it names. The filters, sorts and cursors are those of `/api/v1/mentions`,
    which lists one entry per (item, brand) instead."""
    page = ItemRepository(session).list_page(filters, limit=limit, cursor=cursor, sort=sort)
    tags = InboxRepository(session).item_tags_for([r.document.id for r in page.rows])
    now = datetime.now(UTC)
    items = [item_out(r, tags.get(r.document.id, []), now, filters.brand)
             for r in page.rows if r.mentions]
    return ItemPageOut(items=items, next_cursor=page.next_cursor)


@router.get("/items/{item_id}", response_model=ItemDetailOut,
            summary="One item with its text, brands, notes and thread context")
def get_item(item_id: ItemId, session: SessionDep, _who: ReadDep) -> ItemDetailOut:
    return item_detail(session, item_id)


@router.patch("/items/{item_id}", response_model=ItemDetailOut,
              summary="Triage an item: state, snooze, tags, note")
def patch_item(item_id: ItemId, body: ItemPatchIn, session: SessionDep, who: WriteDep
               ) -> ItemDetailOut:
    """Only the fields sent change. Sentiment is per brand: PATCH the mention for that."""
    ItemRepository(session).get(item_id)
    now = datetime.now(UTC)
    change = TriageChange(state=body.state, snoozed_until=body.snoozed_until,
                          set_tags=list(body.tags) if body.tags is not None else None)
    inbox = InboxRepository(session)
    inbox.apply_items([item_id], change, now)
    if body.note:
        inbox.add_item_note(item_id, who.display_name, body.note, now)
    return item_detail(session, item_id)


def item_detail(session: SessionDep, item_id: int) -> ItemDetailOut:
    row = ItemRepository(session).get(item_id)
    inbox = InboxRepository(session)
    doc = row.document
    parent = MentionRepository(session).parents_of([doc]).get(doc.parent_key or "")
    base = item_out(row, inbox.item_tags_for([item_id]).get(item_id, []), datetime.now(UTC))
    return ItemDetailOut(
        **base.model_dump(), text=doc.text,
        notes=[NoteOut.model_validate(n) for n in inbox.item_notes_for(item_id)],
        context=ContextOut(
            parent_author=parent.author if parent else None,
            parent_text=parent.text[:2000] if parent else None,
            parent_url=parent.url if parent else None,
            thread_title=doc.thread_title, thread_url=doc.thread_url,
        ),
    )


def item_out(row: ItemRow, tags: list[str], now: datetime, brand: str | None = None
             ) -> ItemOut:
    doc, lead = row.document, lead_mention(row, brand)
    return ItemOut(
        id=doc.id, url=doc.url, title=doc.title, author=doc.author, kind=doc.kind,
        published_at=doc.published_at, discovered_at=doc.discovered_at, snippet=lead.snippet,
        language=doc.language,
        source=SourceRef(id=row.source.id, name=row.source.name, url=row.source.url),
        thread=ThreadRef(url=doc.thread_url, title=doc.thread_title), thread_id=doc.thread_id,
        duplicate_of=doc.duplicate_of_id,
        state=compute_shown_state(doc.state, doc.snoozed_until, now),
        snoozed_until=doc.snoozed_until if doc.state == "snoozed" else None,
        tags=tags, site=lead.site, engagement=lead.engagement,
        mentions=[ItemMentionOut(
            id=m.id, brand=b.name, snippet=m.snippet, topics=list(m.topics),
            sentiment=sentiment_out(m), sentiment_override=m.sentiment_override,
            muted_by=m.hidden_by_id) for m, b in row.mentions],
        reply_reason=detect_needs_reply(doc.text, [b.name for _, b in row.mentions]).reason,
        priority=doc.priority, priority_reasons=list(doc.priority_reasons),
    )
