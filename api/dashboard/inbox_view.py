"""The inbox's query string read leniently, and mentions shaped for the templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from markupsafe import Markup

from api.dashboard.highlight import compute_terms, render_field, render_snippet, safe_href
from collectors import registry
from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.repositories.mentions import MentionFilter, compute_shown_state
from monitor.domain.needs_reply import detect_needs_reply

STATES = ("new", "needs_reply", "snoozed", "seen", "replied", "ignored")
SENTIMENTS = ("positive", "negative", "neutral", "unscored")
KINDS = ("post", "comment")
SORTS = ("priority", "time", "engagement")
# The desk opens on what to read first; the API keeps newest first (its clients page by time).
DEFAULT_SORT = "priority"
SOURCE_KINDS = registry.kind_names()
TEXT_KEYS = {"brand": 200, "site": 255, "author": 300, "topic": 100, "tag": 50, "language": 10,
             "q": 500}
FILTER_KEYS = (*TEXT_KEYS, "sentiment", "kind", "source_kind", "state", "since", "until",
               "sort", "fresh", "include_hidden", "source", "view", "alert")


@dataclass(frozen=True, slots=True)
class InboxQuery:
    filters: MentionFilter
    sort: str
    fresh_only: bool
    state_tab: str  # "all" or a state
    params: dict[str, str]  # what was understood, to rebuild links
    notices: list[str] = field(default_factory=list)

    @property
    def compact(self) -> bool:
        """One line per item instead of a card."""
        return self.params.get("view") == "compact"

    def link(self, **changes: str | None) -> str:
        """``/inbox?…`` with the current filters, some changed (None removes one)."""
        params = {**self.params, **changes}
        return "/inbox?" + urlencode({k: v for k, v in params.items() if v})


def _choice(params: Mapping[str, str], key: str, allowed: tuple[str, ...],
            notices: list[str]) -> str | None:
    value = params.get(key, "").strip()
    if value and value not in allowed:
        notices.append(f"Ignored {key}={value[:40]!r}: not one of {', '.join(allowed)}.")
        return None
    return value or None


def _moment(params: Mapping[str, str], key: str, notices: list[str]) -> datetime | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        notices.append(f"Ignored {key}: write a date like 2026-11-20 or 2026-11-20T09:00.")
        return None


def _row_id(params: Mapping[str, str], key: str, notices: list[str]) -> int | None:
    value = params.get(key, "").strip()
    if not value:
        return None
    if value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    notices.append(f"Ignored {key}={value[:40]!r}: not an id.")
    return None


def parse_inbox_query(params: Mapping[str, str], *, last_visit: datetime | None,
                      now: datetime) -> InboxQuery:
    """Filters from the page's query string; a bad value is dropped with a notice, not a 422."""
    notices: list[str] = []
    texts = {k: params.get(k, "").strip()[:limit] or None for k, limit in TEXT_KEYS.items()}
    state_tab = params.get("state", "").strip() or "new"
    if state_tab != "all" and state_tab not in STATES:
        notices.append(f"Ignored state={state_tab[:40]!r}.")
        state_tab = "new"
    fresh_only = params.get("fresh") == "1" and last_visit is not None
    filters = MentionFilter(
        brand=texts["brand"], sentiment=_choice(params, "sentiment", SENTIMENTS, notices),
        kind=_choice(params, "kind", KINDS, notices),
        source_kind=_choice(params, "source_kind", SOURCE_KINDS, notices),
        site=texts["site"], author=texts["author"], topic=texts["topic"],
        tag=(texts["tag"] or "").lower() or None, language=texts["language"], q=texts["q"],
        since=_moment(params, "since", notices), until=_moment(params, "until", notices),
        state=None if state_tab == "all" else state_tab, as_of=now,
        include_hidden=params.get("include_hidden") == "1",
        created_after=last_visit if fresh_only else None,
        source=_row_id(params, "source", notices), alert=_row_id(params, "alert", notices),
    )
    sort = _choice(params, "sort", SORTS, notices) or DEFAULT_SORT
    kept = {k: params[k].strip() for k in FILTER_KEYS if params.get(k, "").strip()}
    kept["state"] = state_tab
    return InboxQuery(filters, sort, fresh_only, state_tab, kept, notices)


@dataclass(frozen=True, slots=True)
class BrandChip:
    """One brand an item names, with the sentiment toward it."""

    name: str
    sentiment: str
    overridden: bool
    mention_id: int


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int  # the lead mention: the one the filters found first, opened by the card
    item_id: int
    brand: str
    brands: list[BrandChip]
    title: Markup
    snippet: Markup
    url: str
    author: str | None
    site: str
    source: str
    kind: str
    when: datetime
    sentiment: str
    language: str | None
    overridden: bool
    state: str
    snoozed_until: datetime | None
    tags: list[str]
    topics: list[str]
    thread_title: str | None
    thread_url: str
    thread_id: int | None
    parent_author: str | None
    parent_excerpt: str | None
    fresh: bool
    engagement: int
    muted: bool
    reply_reason: str = ""  # "question" or "complaint": why it may need an answer
    priority: int = 0
    priority_reasons: tuple[str, ...] = ()  # why it ranks high, strongest first


def build_item(lead: Mention, doc: Document, source: Source,
               mentions: list[tuple[Mention, Brand]], tags: list[str], parent: Document | None,
               last_visit: datetime | None, now: datetime) -> InboxItem:
    """A card for one item; ``lead`` is the mention whose words are highlighted."""
    spans = list(lead.spans or [])
    terms = compute_terms(doc.title, doc.text, spans)
    state = compute_shown_state(doc.state, doc.snoozed_until, now)
    chips = [BrandChip(b.name, m.sentiment_override or m.sentiment_label,
                       m.sentiment_override is not None, m.id) for m, b in mentions]
    return InboxItem(
        id=lead.id, item_id=doc.id, brand=chips[0].name if chips else "", brands=chips,
        title=render_field(doc.title, spans, "title") if doc.title else Markup(""),
        snippet=render_snippet(lead.snippet or doc.text[:300], terms),
        url=safe_href(doc.url), author=doc.author, site=lead.site, source=source.name,
        kind=doc.kind, when=lead.sort_at,
        sentiment=lead.sentiment_override or lead.sentiment_label, language=doc.language,
        overridden=lead.sentiment_override is not None, state=state,
        snoozed_until=doc.snoozed_until if state == "snoozed" else None, tags=tags,
        topics=sorted({str(t) for m, _ in mentions for t in m.topics or []}),
        thread_title=doc.thread_title if doc.thread_url != doc.url else None,
        thread_url=safe_href(doc.thread_url), thread_id=doc.thread_id,
        parent_author=parent.author if parent else None,
        parent_excerpt=_excerpt(parent.text) if parent else None,
        fresh=last_visit is not None and any(m.created_at > last_visit for m, _ in mentions),
        engagement=lead.engagement, muted=lead.hidden_by_id is not None,
        reply_reason=detect_needs_reply(doc.text, [c.name for c in chips]).reason,
        priority=doc.priority, priority_reasons=tuple(str(r) for r in doc.priority_reasons),
    )


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


SNOOZE_CHOICES = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1),
                  "3d": timedelta(days=3), "1w": timedelta(weeks=1)}
