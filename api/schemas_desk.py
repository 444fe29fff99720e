"""Bodies of the desk's item, thread and export routes, each with an example for /docs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.schemas import (
    PRIORITY_HELP,
    PRIORITY_REASONS_HELP,
    ContextOut,
    InboxState,
    NoteOut,
    PriorityReason,
    SentimentLabel,
    SentimentOut,
    SourceRef,
    Tag,
    ThreadRef,
)

_ITEM_EXAMPLE: dict[str, Any] = {
    "id": 17, "url": "https://forum.example/t/espresso/9#p3", "title": "",
    "author": "nadia", "kind": "comment", "published_at": "2026-11-20T12:00:00Z",
    "discovered_at": "2026-11-20T12:05:00Z", "snippet": "…Acme is louder than Globex…",
    "language": "en",
    "source": {"id": 3, "name": "Coffee forum", "url": "https://forum.example/latest.rss"},
    "thread": {"url": "https://forum.example/t/espresso/9", "title": "Best espresso machine?"},
    "thread_id": 5, "duplicate_of": None, "state": "new", "snoozed_until": None, "tags": [],
    "site": "forum.example", "engagement": 4, "priority": 9,
    "priority_reasons": ["negative"],
    "mentions": [
        {"id": 41, "brand": "Acme", "snippet": "…Acme is louder…", "topics": ["noise"],
         "sentiment": {"score": -0.4, "label": "negative", "confidence": 0.7},
         "sentiment_override": None, "muted_by": None},
        {"id": 42, "brand": "Globex", "snippet": "…than Globex…", "topics": [],
         "sentiment": {"score": 0.1, "label": "neutral", "confidence": 0.4},
         "sentiment_override": None, "muted_by": None}],
}


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ItemMentionOut(_Out):
    """One brand an item names: a mention, with the sentiment toward that brand."""

    id: int = Field(description="mention id (GET /api/v1/mentions/{id})")
    brand: str
    snippet: str
    topics: list[str]
    sentiment: SentimentOut
    sentiment_override: SentimentLabel | None = None
    muted_by: int | None = None


class ItemOut(_Out):
    """One post or comment, however many brands it names; triage belongs to it."""

    model_config = ConfigDict(from_attributes=True,
                              json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    id: int = Field(description="item (document) id")
    url: str
    title: str
    author: str | None
    kind: Literal["post", "comment"]
    published_at: datetime | None
    discovered_at: datetime
    snippet: str = Field(description="the sentence naming the first listed brand")
    language: str | None
    source: SourceRef
    thread: ThreadRef
    thread_id: int | None = Field(default=None, description="GET /api/v1/threads/{id}")
    duplicate_of: int | None
    state: InboxState = Field(description="a snooze that has run out shows as `new`")
    snoozed_until: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    site: str = ""
    engagement: int = 0
    mentions: list[ItemMentionOut] = Field(description="every brand it names, by name")
    reply_reason: Literal["question", "complaint", ""] = Field(
        default="", description="why it may need an answer: a question put to one of its "
                                "brands, or a complaint about its service")
    priority: int = Field(default=0, description=PRIORITY_HELP)
    priority_reasons: list[PriorityReason] = Field(default_factory=list,
                                                   description=PRIORITY_REASONS_HELP)


class ItemPageOut(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class ItemDetailOut(ItemOut):
    text: str
    notes: list[NoteOut]
    context: ContextOut


class ItemPatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"state": "needs_reply", "tags": ["support"], "note": "Asked about a refund"},
        {"state": "snoozed", "snoozed_until": "2030-01-01T09:00:00Z"},
    ]})

    state: InboxState | None = None
    snoozed_until: AwareDatetime | None = Field(
        default=None, description="with state `snoozed`: when it comes back as `new`")
    tags: list[Tag] | None = Field(default=None, max_length=20,
                                   description="replaces the item's tags")
    note: str | None = Field(default=None, min_length=1, max_length=5000,
                             description="appended as a private note")


class ThreadBrandOut(BaseModel):
    mention_id: int
    brand: str
    sentiment: SentimentLabel


class ThreadPostOut(BaseModel):
    """One stored post or comment, placed under the one it answers."""

    id: int = Field(description="item (document) id")
    parent_id: int | None = Field(description="the item it answers, when stored")
    depth: int = Field(description="0 for the post and top-level comments")
    kind: Literal["post", "comment"]
    url: str
    title: str
    author: str | None
    published_at: datetime | None
    discovered_at: datetime
    text: str
    sentiment: SentimentLabel = Field(description="of the whole text, not toward a brand")
    brands: list[ThreadBrandOut] = Field(description="brands it names, each with the "
                                                     "sentiment toward it")
    state: InboxState
    new: bool = Field(description="stored since you last opened the thread")


class ThreadOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 5, "url": "https://forum.example/t/9", "title": "Espresso machines?",
        "followed": False, "last_opened_at": "2026-11-20T09:00:00Z", "new_count": 1,
        "posts": [{"id": 17, "parent_id": None, "depth": 0, "kind": "post",
                   "url": "https://forum.example/t/9", "title": "Espresso machines?",
                   "author": "nadia", "published_at": "2026-11-20T08:00:00Z",
                   "discovered_at": "2026-11-20T08:05:00Z", "text": "Acme or Globex?",
                   "sentiment": "neutral", "state": "new", "new": False,
                   "brands": [{"mention_id": 41, "brand": "Acme", "sentiment": "neutral"}]}],
    }]})

    id: int
    url: str
    title: str
    followed: bool
    last_opened_at: datetime | None = Field(
        description="when you opened it before this request (null: never)")
    new_count: int
    posts: list[ThreadPostOut] = Field(description="every stored item, in reading order")


class FollowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    followed: bool = True


class ThreadMuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hide_past: bool = Field(default=True, description="hide its stored mentions too")


class ThreadMuteOut(BaseModel):
    exclusion_id: int
    hidden: int
