"""Whole threads: the post and every stored comment in reading order; follow and mute."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from api.deps import ReadDep, RuntimeDep, SessionDep, SettingsDep, WriteDep
from api.schemas import ERROR_RESPONSES
from api.schemas_desk import (
    FollowIn,
    ThreadBrandOut,
    ThreadMuteIn,
    ThreadMuteOut,
    ThreadOut,
    ThreadPostOut,
)
from monitor.db.engine import unit_of_work
from monitor.db.models import Document
from monitor.db.repositories.conversations import ConversationRepository
from monitor.db.repositories.exclusions import ExclusionRepository, as_rule
from monitor.db.repositories.items import ItemRepository, ItemRow
from monitor.db.repositories.mentions import compute_shown_state
from monitor.domain.sentiment import compute_label
from monitor.domain.threads import ThreadNode, compute_thread_order
from monitor.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["threads"], responses=ERROR_RESPONSES)
ThreadId = Annotated[int, Path(ge=1, le=2_147_483_647, description="thread id")]


@router.get("/threads/{thread_id}", response_model=ThreadOut,
            summary="A whole thread; opening it marks its replies as read")
def get_thread(thread_id: ThreadId, session: SessionDep, who: ReadDep,
               runtime: RuntimeDep) -> ThreadOut:
    """Every stored post and comment, nested under what it answers, oldest first. `new`
    marks what was stored since you last opened the thread; this request counts as opening."""
    now = datetime.now(UTC)
    previous = record_thread_open(runtime, who.id, thread_id, now)
    return thread_view(session, thread_id, now, previous)


@router.post("/threads/{thread_id}/follow", response_model=ThreadOut,
             summary="Follow a thread (poll its comments longer), or stop")
def follow_thread(thread_id: ThreadId, body: FollowIn, session: SessionDep, who: WriteDep,
                  settings: SettingsDep) -> ThreadOut:
    now = datetime.now(UTC)
    until = now + settings.collector.follow_threads_for if body.followed else None
    repo = ConversationRepository(session)
    repo.set_followed(thread_id, body.followed, until)
    return thread_view(session, thread_id, now, repo.record_open(who.id, thread_id, now))


@router.post("/threads/{thread_id}/mute", response_model=ThreadMuteOut,
             summary="Mute a thread for every brand")
def mute_thread(thread_id: ThreadId, body: ThreadMuteIn, session: SessionDep, who: WriteDep
                ) -> ThreadMuteOut:
    thread = ConversationRepository(session).get(thread_id)
    repo = ExclusionRepository(session)
    exclusion = repo.create("thread", thread.url, None, who.id, datetime.now(UTC))
    hidden = repo.hide_matching(as_rule(exclusion)) if body.hide_past else 0
    return ThreadMuteOut(exclusion_id=exclusion.id, hidden=hidden)


def record_thread_open(runtime: Runtime, principal: str, thread_id: int, now: datetime
                       ) -> datetime | None:
    """Opening a thread is its own brief write, so reading it takes no write lock; returns when
    ``principal`` last opened it before."""
    with unit_of_work(runtime.sessions) as session:
        repo = ConversationRepository(session)
        repo.get(thread_id)
        return repo.record_open(principal, thread_id, now)


def thread_view(session: Session, thread_id: int, now: datetime, previous: datetime | None
                ) -> ThreadOut:
    repo = ConversationRepository(session)
    thread = repo.get(thread_id)
    docs = {d.key: d for d in repo.documents(thread_id)}
    items = {r.document.id: r for r in ItemRepository(session).load(
        [d.id for d in docs.values()], include_hidden=True)}
    order = compute_thread_order([
        ThreadNode(d.key, d.parent_key, d.published_at or d.discovered_at, d.id)
        for d in docs.values()])
    posts = [_post(docs[p.key], p.depth, docs, items, previous, now) for p in order]
    return ThreadOut(id=thread.id, url=thread.url, title=thread.title, followed=thread.followed,
                     last_opened_at=previous, new_count=sum(p.new for p in posts), posts=posts)


def _post(doc: Document, depth: int, docs: dict[str, Document], items: dict[int, ItemRow],
          previous: datetime | None, now: datetime) -> ThreadPostOut:
    parent = docs.get(doc.parent_key or "")
    row = items.get(doc.id)
    mentions = row.mentions if row else []
    return ThreadPostOut(
        id=doc.id, parent_id=parent.id if parent else None, depth=depth, kind=doc.kind,
        url=doc.url, title=doc.title, author=doc.author, published_at=doc.published_at,
        discovered_at=doc.discovered_at, text=doc.text,
        sentiment=_post_sentiment(doc, [m.sentiment_override or m.sentiment_label
                                        for m, _ in mentions]),
        brands=[ThreadBrandOut(mention_id=m.id, brand=b.name,
                               sentiment=m.sentiment_override or m.sentiment_label)
                for m, b in mentions],
        state=compute_shown_state(doc.state, doc.snoozed_until, now),
        new=previous is not None and doc.discovered_at > previous,
    )


def _post_sentiment(doc: Document, brand_labels: list[str]) -> str:
    """The post's own score where one was stored; else what its mentions agree on (documents
    naming no brand are not scored, to keep ingest cheap)."""
    if doc.sentiment_score is not None:
        return compute_label(doc.sentiment_score)
    labels = set(brand_labels)
    return labels.pop() if len(labels) == 1 else "unscored"
