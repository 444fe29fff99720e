"""Response and request bodies of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SentimentLabel = Literal["positive", "negative", "neutral", "unscored"]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SentimentOut(_Out):
    score: float = Field(description="-1 (negative) … +1 (positive), toward the brand")
    label: SentimentLabel
    confidence: float = 0.0


class SourceRef(_Out):
    id: int
    name: str
    url: str


class ThreadRef(_Out):
    url: str | None
    title: str | None


class MentionOut(_Out):
    id: int
    brand: str
    url: str
    title: str
    author: str | None
    kind: Literal["post", "comment"]
    published_at: datetime | None = Field(description="ISO 8601, UTC")
    discovered_at: datetime
    snippet: str
    sentiment: SentimentOut
    topics: list[str]
    language: str | None
    source: SourceRef
    thread: ThreadRef
    duplicate_of: int | None
    state: str


class MentionPageOut(BaseModel):
    items: list[MentionOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class BrandOut(_Out):
    id: int
    name: str
    query: str
    enabled: bool


class SourceOut(_Out):
    id: int
    name: str
    url: str
    kind: str | None
    enabled: bool
    interval_seconds: int
    last_fetched_at: datetime | None
    last_status: str | None
    last_error: str | None
    error_count: int
    next_check_at: datetime


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    detail: str | None = None
