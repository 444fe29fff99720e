"""Response and request bodies of the HTTP API, each with an example for the OpenAPI page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema

from collectors import registry

SentimentLabel = Literal["positive", "negative", "neutral", "unscored"]
InboxState = Literal["new", "seen", "needs_reply", "replied", "ignored", "snoozed"]
ExclusionKind = Literal["thread", "author", "site"]
ScopeName = Literal["read", "write", "admin"]



def _known_kind(value: str) -> str:
    if not registry.is_kind(value):
        raise ValueError(f"unknown source kind; known: {', '.join(registry.kind_names())}")
    return value


# The kinds come from the collectors' registry; the schema lists them as an enum.
SourceKindName = Annotated[
    str, AfterValidator(_known_kind),
    WithJsonSchema({"type": "string", "enum": list(registry.kind_names())}),
]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
PriorityReason = Literal["needs reply", "very negative", "negative", "high engagement",
                         "engagement rising", "thread growing", "wide reach"]
PRIORITY_HELP = ("what to read first, in points (the item's; sort=priority orders by it); "
                 "see the README, 'What to read first'")
PRIORITY_REASONS_HELP = "the signals that put it high, strongest first"

_MENTION_EXAMPLE: dict[str, Any] = {
    "id": 42, "brand": "Acme", "url": "https://forum.example/t/espresso/9#p3",
    "title": "Best espresso machine?", "author": "nadia", "kind": "comment",
    "published_at": "2026-11-20T12:00:00Z", "discovered_at": "2026-11-20T12:05:00Z",
    "snippet": "…the Acme Duo has been great for two years…",
    "sentiment": {"score": 0.62, "label": "positive", "confidence": 0.8},
    "sentiment_override": None, "topics": ["quality"], "language": "en",
    "source": {"id": 3, "name": "Coffee forum", "url": "https://forum.example/latest.rss"},
    "thread": {"url": "https://forum.example/t/espresso/9", "title": "Best espresso machine?"},
    "thread_id": 5,
    "duplicate_of": None, "state": "new", "snoozed_until": None, "tags": ["follow-up"],
    "site": "forum.example", "engagement": 12, "muted_by": None,
    "priority": 52, "priority_reasons": ["needs reply", "negative"],
}


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SentimentOut(_Out):
    score: float = Field(description="-1 (negative) … +1 (positive), toward the brand")
    label: SentimentLabel = Field(description="what people see: the override when there is one")
    confidence: float = 0.0


class SourceRef(_Out):
    id: int
    name: str
    url: str


class ThreadRef(_Out):
    url: str | None
    title: str | None


class MentionOut(_Out):
    model_config = ConfigDict(from_attributes=True,
                              json_schema_extra={"examples": [_MENTION_EXAMPLE]})

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
    sentiment_override: SentimentLabel | None = Field(
        default=None, description="the label set by a person; kept when re-analysed")
    topics: list[str]
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
    muted_by: int | None = Field(default=None, description="id of the exclusion hiding it")
    priority: int = Field(default=0, description=PRIORITY_HELP)
    priority_reasons: list[PriorityReason] = Field(default_factory=list,
                                                   description=PRIORITY_REASONS_HELP)


class MentionPageOut(BaseModel):
    items: list[MentionOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class NoteOut(_Out):
    id: int
    author: str
    body: str
    created_at: datetime


class ContextOut(BaseModel):
    """Where a mention sits: the comment it answers and the post it belongs to."""

    parent_author: str | None = None
    parent_text: str | None = None
    parent_url: str | None = None
    thread_title: str | None = None
    thread_url: str | None = None


class MentionDetailOut(MentionOut):
    model_config = _example({**_MENTION_EXAMPLE, "text": "I think the Acme Duo…",
                             "spans": [["text", 12, 16]], "notes": [], "context": {}})

    text: str
    spans: list[list[Any]] = Field(description="[[field, start, end], …] over title/text")
    notes: list[NoteOut]
    context: ContextOut


class MentionPatchIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"state": "needs_reply", "tags": ["support"], "note": "Customer since 2019"},
        {"state": "snoozed", "snoozed_until": "2030-01-01T09:00:00Z"},
        {"sentiment": "negative"},
    ]})

    state: InboxState | None = None
    snoozed_until: AwareDatetime | None = Field(
        default=None, description="with state `snoozed`: when it comes back as `new`")
    tags: list[Tag] | None = Field(default=None, max_length=20,
                                   description="replaces the mention's tags")
    note: str | None = Field(default=None, min_length=1, max_length=5000,
                             description="appended as a private note")
    sentiment: SentimentLabel | None = Field(
        default=None, description="override the label; send null to go back to the computed one")


class MentionFilterIn(_In):
    """The filters of GET /api/v1/mentions, as a JSON object."""

    brand: str | None = Field(default=None, max_length=200)
    sentiment: SentimentLabel | None = None
    kind: Literal["post", "comment"] | None = None
    source_kind: SourceKindName | None = None
    site: str | None = Field(default=None, max_length=255)
    author: str | None = Field(default=None, max_length=300)
    topic: str | None = Field(default=None, max_length=100)
    state: InboxState | None = None
    tag: str | None = Field(default=None, max_length=50)
    language: str | None = Field(default=None, max_length=10)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    q: str | None = Field(default=None, max_length=500)
    include_duplicates: bool = False
    include_hidden: bool = False
    source: int | None = Field(default=None, ge=1, le=2_147_483_647, description="a source's id")
    alert: int | None = Field(default=None, ge=1, le=2_147_483_647,
                              description="an alert's id: exactly the mentions behind it")


class BulkIn(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"ids": [41, 42], "state": "seen"},
        {"filter": {"brand": "Acme", "state": "new", "sentiment": "neutral"},
         "state": "ignored"},
        {"ids": [42], "add_tags": ["escalated"], "remove_tags": ["triage"]},
    ]})

    ids: list[RowId] | None = Field(default=None, min_length=1, max_length=5000)
    filter: MentionFilterIn | None = Field(
        default=None, description="instead of ids: every mention these filters match")
    state: InboxState | None = None
    snoozed_until: AwareDatetime | None = None
    add_tags: list[Tag] = Field(default_factory=list, max_length=20)
    remove_tags: list[Tag] = Field(default_factory=list, max_length=20)
    sentiment: SentimentLabel | None = None
    clear_sentiment: bool = Field(default=False, description="drop the override")


class BulkOut(BaseModel):
    model_config = _example({"matched": 2, "updated": 2, "truncated": False})

    matched: int
    updated: int
    truncated: bool = Field(description="true when the filter matched more than one request "
                                        "may change; run it again for the rest")


class BrandOut(_Out):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 1, "name": "Acme", "query": 'Acme OR "Acme Corp"', "enabled": True,
         "from_config": False}]})

    id: int
    name: str
    query: str
    enabled: bool
    from_config: bool = False


class BrandIn(_In):
    model_config = _example({"name": "Acme", "query": 'Acme OR "Acme Corp"', "enabled": True})

    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=10_000)
    enabled: bool = True


class BrandPatchIn(_In):
    model_config = _example({"query": '"Acme Corp" NOT acme.test'})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    query: str | None = Field(default=None, min_length=1, max_length=10_000)
    enabled: bool | None = None


class BrandSavedOut(BrandOut):
    rematched: bool = Field(default=False, description="stored documents were matched again")


class PreviewIn(_In):
    model_config = _example({"query": 'Acme NEAR/3 espresso'})

    query: str = Field(min_length=1, max_length=10_000)


class PreviewSampleOut(BaseModel):
    url: str
    title: str
    snippet: str
    published_at: datetime | None
    sentiment: str


class PreviewOut(BaseModel):
    model_config = _example({"query": "Acme", "last_7_days": 4, "last_30_days": 19,
                             "samples": []})

    query: str
    last_7_days: int
    last_30_days: int
    samples: list[PreviewSampleOut]


class SourceOut(_Out):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": 3, "name": "Coffee forum", "url": "https://forum.example/latest.rss",
        "kind": "rss", "enabled": True, "interval_seconds": 1800, "options": {},
        "from_config": False, "health": "ok", "last_fetched_at": "2026-11-20T12:00:00Z",
        "last_status": "ok", "last_error": None, "error_count": 0,
        "next_check_at": "2026-11-20T12:30:00Z"}]})

    id: int
    name: str
    url: str
    kind: str | None
    enabled: bool
    interval_seconds: int
    options: dict[str, Any] = Field(default_factory=dict)
    from_config: bool = False
    health: Literal["ok", "failing", "pending", "disabled"] = "pending"
    last_fetched_at: datetime | None
    last_status: str | None
    last_error: str | None
    error_count: int
    next_check_at: datetime


class SourceIn(_In):
    model_config = _example({"name": "Coffee forum", "url": "https://forum.example/latest.rss",
                             "kind": "rss", "interval_seconds": 1800})

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2000)
    kind: SourceKindName | None = None
    interval_seconds: int = Field(default=1800, ge=60, le=30 * 86400)
    enabled: bool = True
    options: dict[str, str] = Field(default_factory=dict, max_length=50)


class SourcePatchIn(_In):
    model_config = _example({"enabled": False})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    kind: SourceKindName | None = None
    interval_seconds: int | None = Field(default=None, ge=60, le=30 * 86400)
    enabled: bool | None = None
    options: dict[str, str] | None = Field(default=None, max_length=50)


class ExclusionIn(_In):
    model_config = _example({"kind": "author", "value": "spambot42", "brand": "Acme",
                             "hide_past": True})

    kind: ExclusionKind
    value: str = Field(min_length=1, max_length=2000,
                       description="thread URL, author name, or site host (or any URL on it)")
    brand: str | None = Field(default=None, max_length=200,
                              description="mute for this brand only; omit for every brand")
    hide_past: bool = Field(default=False, description="also hide the stored mentions it matches")


class ExclusionPreviewOut(BaseModel):
    model_config = _example({"kind": "site", "value": "spam.example", "would_hide": 17})

    kind: ExclusionKind
    value: str
    would_hide: int = Field(description="visible stored mentions this rule would hide")


class ExclusionOut(BaseModel):
    model_config = _example({"id": 5, "kind": "author", "value": "spambot42", "brand": "Acme",
                             "created_by": "user:nadia", "created_at": "2026-11-20T12:00:00Z",
                             "hidden": 17})

    id: int
    kind: ExclusionKind
    value: str
    brand: str | None
    created_by: str
    created_at: datetime
    hidden: int = Field(default=0, description="stored mentions hidden when it was created")


class TrendBucketOut(BaseModel):
    start: datetime
    mentions: int
    positive: int
    negative: int
    neutral: int
    unscored: int = 0
    avg_sentiment: float | None


class ShareOut(BaseModel):
    brand: str
    mentions: int
    share: float


class TopicCountOut(BaseModel):
    topic: str
    mentions: int


class RisingTermOut(BaseModel):
    term: str
    current: int
    previous: int
    score: float


class ThreadCountOut(BaseModel):
    url: str
    title: str
    mentions: int
    id: int | None = Field(default=None, description="GET /api/v1/threads/{id}")


class SourceCountOut(BaseModel):
    id: int
    name: str
    mentions: int


class TrendsOut(BaseModel):
    model_config = _example({
        "brand": "Acme", "interval": "day", "since": "2026-11-18T00:00:00Z",
        "until": "2026-11-20T00:00:00Z",
        "buckets": [{"start": "2026-11-18T00:00:00Z", "mentions": 3, "positive": 2,
                     "negative": 1, "neutral": 0, "unscored": 0, "avg_sentiment": 0.21},
                    {"start": "2026-11-19T00:00:00Z", "mentions": 0, "positive": 0,
                     "negative": 0, "neutral": 0, "unscored": 0, "avg_sentiment": None}],
        "share_of_voice": [{"brand": "Acme", "mentions": 3, "share": 0.75},
                           {"brand": "Globex", "mentions": 1, "share": 0.25}],
        "top_topics": [{"topic": "price", "mentions": 2}],
        "rising_terms": [{"term": "recall", "current": 5, "previous": 0, "score": 4.1}],
        "top_threads": [{"url": "https://forum.example/t/9", "title": "Espresso", "mentions": 2}],
        "top_sources": [{"id": 3, "name": "Coffee forum", "mentions": 3}],
    })

    brand: str | None
    interval: Literal["hour", "day", "week"]
    since: datetime
    until: datetime
    buckets: list[TrendBucketOut]
    share_of_voice: list[ShareOut]
    top_topics: list[TopicCountOut] = Field(description=(
        "the ten topics with most mentions; each count is what /api/v1/mentions returns "
        "with that topic added to the filters"))
    rising_terms: list[RisingTermOut] = Field(description=(
        "words used more than in the window of equal length before; from a sample of each "
        "window's mentions (about 150, spread over the window by volume) when it holds "
        "more, so `current` and `previous` count texts of the samples"))
    top_threads: list[ThreadCountOut] = Field(description=(
        "the threads with most mentions, each count exact; when the window holds more "
        "mentions than the rising terms' sample, ranked among the threads that sample "
        "found most often rather than among all of them"))
    top_sources: list[SourceCountOut] = Field(description=(
        "the ten sources with most mentions; each count is what /api/v1/mentions returns "
        "with that source added to the filters"))


class ApiKeyOut(_Out):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 2, "name": "grafana", "prefix": "bm_Xq3v9a", "scopes": ["read"],
         "created_at": "2026-11-20T12:00:00Z", "last_used_at": None, "revoked_at": None}]})

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIn(_In):
    model_config = _example({"name": "grafana", "scopes": ["read"]})

    name: str = Field(min_length=1, max_length=200)
    scopes: list[ScopeName] = Field(min_length=1, max_length=3)


class ApiKeyCreatedOut(ApiKeyOut):
    model_config = _example({"id": 2, "name": "grafana", "prefix": "bm_Xq3v9a",
                             "scopes": ["read"], "created_at": "2026-11-20T12:00:00Z",
                             "last_used_at": None, "revoked_at": None,
                             "key": "bm_Xq3v9a…(shown once)"})

    key: str = Field(description="the key itself: shown this once, only its hash is kept")


class ViewIn(_In):
    model_config = _example({"name": "Angry on Reddit",
                             "params": {"sentiment": "negative", "source_kind": "reddit"}})

    name: str = Field(min_length=1, max_length=100)
    params: dict[str, str] = Field(default_factory=dict, max_length=30,
                                   description="inbox query parameters")


class ViewOut(_Out):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 1, "name": "Angry on Reddit",
         "params": {"sentiment": "negative", "source_kind": "reddit"}}]})

    id: int
    name: str
    params: dict[str, str]


_ALERT_EXAMPLE: dict[str, Any] = {
    "id": 7, "brand": "Acme", "kind": "volume_spike", "severity": "warning", "state": "open",
    "subject": "Acme", "title": "Acme: 42 mentions in an hour (usually 6)",
    "summary": "25 mentions in the last hour; usually about 1 a day; 92% negative",
    "window_start": "2026-11-20T11:00:00Z", "window_end": "2026-11-20T12:00:00Z",
    "mention_count": 42, "notifications": 1, "created_at": "2026-11-20T12:01:00Z",
    "last_seen_at": "2026-11-20T12:01:00Z", "acknowledged_at": None, "resolved_at": None,
    "deliveries": [{"id": 3, "channel": "slack", "status": "sent", "attempts": 2,
                    "last_status_code": 200, "last_response": "ok",
                    "created_at": "2026-11-20T12:01:00Z", "sent_at": "2026-11-20T12:01:03Z"}],
}


class DeliveryOut(_Out):
    id: int
    channel: str
    status: str
    attempts: int
    last_status_code: int | None
    last_response: str | None
    created_at: datetime
    sent_at: datetime | None


class AlertOut(BaseModel):
    model_config = _example(_ALERT_EXAMPLE)

    id: int
    brand: str | None
    kind: str
    severity: str = Field(description="info, warning or critical")
    state: str = Field(description="open or resolved; resolved episodes reopen if it flares up")
    subject: str
    title: str
    summary: str
    window_start: datetime
    window_end: datetime
    mentions_url: str = Field(default="", description="the mentions behind it: "
                              "GET /api/v1/inbox (or /mentions) with `alert={id}`")
    mention_count: int
    notifications: int
    created_at: datetime
    last_seen_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    deliveries: list[DeliveryOut] = Field(description="every message sent or queued for it")


class AlertPageOut(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None
    brandless_hidden: int = Field(default=0, description="with a brand filter: alerts about "
                                  "no brand (rules without one, failing sources) left out")


class AlertDetailOut(AlertOut):
    model_config = _example({**_ALERT_EXAMPLE, "explanation": {"summary": "…"}})

    explanation: dict[str, Any] = Field(description="figures, sentiment split, top terms, "
                                                    "topics, sources, threads and samples")


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable: not_found, invalid_input, …")
    message: str = Field(description="what went wrong, for people")
    details: Any = Field(default=None, description="per-field problems for invalid requests")


class ErrorOut(BaseModel):
    """Every error: 401, 403, 404, 409, 422 and 503 alike."""

    model_config = _example({"error": {"code": "invalid_input", "message":
                                       "invalid query: unexpected end at position 7",
                                       "details": None}})

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (401, "no valid API key or session"), (403, "the key lacks the scope"),
        (404, "no such object"), (409, "conflicts with what is stored"),
        (422, "the request is not valid; the message says why"),
    )
}


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    detail: str | None = None


class SourceSuggestionOut(_Out):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "host": "coffee-news.example", "documents": 4, "url": "https://coffee-news.example/",
        "samples": ["https://coffee-news.example/2026/acme-recall"]}]})

    host: str
    documents: int = Field(description="documents with mentions that link to the site")
    url: str = Field(description="add this as a source: its feed is discovered")
    samples: list[str]
