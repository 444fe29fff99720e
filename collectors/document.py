"""Plain data the collectors hand back: no database, no domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

DocumentKind = Literal["post", "comment"]
# A kind name from ``collectors.registry`` ("rss", "reddit", "search", ...).
SourceKind = str


@dataclass(frozen=True, slots=True)
class Document:
    """One post or one comment, as found on the web.

    ``key`` is stable across fetches and paths (feed GUID, Reddit fullname, ``hn:ID``,
    ``discourse:HOST:POST_ID``, or the canonical URL when nothing better exists), so the
    store can insert it once however often and through whichever path it is seen.
    """

    key: str
    url: str
    kind: DocumentKind
    title: str
    text: str
    author: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC
    thread_url: str | None = None
    thread_title: str | None = None
    parent_key: str | None = None  # key of the parent document (post or comment)
    language: str | None = None
    engagement: Mapping[str, int] = field(default_factory=dict)  # score, points, replies


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """A comment stream worth following: a per-post comment feed, a page, a JSON thread."""

    url: str
    kind: SourceKind
    thread_url: str  # the post the comments belong to
    thread_title: str = ""
    parent_key: str | None = None  # key of that post when it is not derivable from thread_url


@dataclass(frozen=True, slots=True)
class FetchState:
    """Validators remembered from the previous fetch, for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None  # a collector's own bookmark (search high-water marks)


@dataclass(frozen=True, slots=True)
class CollectResult:
    """What one source yielded in one pass."""

    documents: list[Document]
    state: FetchState
    status: int  # HTTP status of the source's main request (304 when unchanged)
    threads: list[ThreadRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kind: SourceKind | None = None  # the kind the source was collected as (detected or given)
    # Documents found by looking back (a search for a new brand): history, not news.
    backfill_keys: frozenset[str] = frozenset()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A configured source as the collectors see it: where, what kind, and kind-specific options."""

    url: str
    kind: SourceKind | None = None  # None: detect from the response
    options: Mapping[str, str] = field(default_factory=dict)
    # For search kinds: groups of words and phrases that must all occur, one group per
    # conjunction of the brands' queries (the core translates the queries).
    search_terms: tuple[tuple[str, ...], ...] = ()
