"""What the search engines of the ``search`` kind share: the request, the answer, the cursor.

An engine gets one group of search terms (words and phrases a match must contain, as the
core translated them from a brand's query) and the time to search back to, and answers with
documents newest first, the threads worth following and the newest time it saw. The
``search`` kind keeps that time per term group (the high-water mark), so each pass asks
only for what is new, and a group seen for the first time searches back ``backfill_days``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from collectors.document import Document, FetchState, ThreadRef
from collectors.fetching import Fetcher
from collectors.registry import OptionField

ACCEPT_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class SearchTerms:
    """Words and phrases that must all occur (one conjunction of a brand query)."""

    words: tuple[str, ...]

    @property
    def key(self) -> str:
        """Stable id of the group in the cursor."""
        joined = "\x1f".join(w.casefold() for w in self.words)
        return hashlib.sha256(joined.encode()).hexdigest()[:16]

    def render(self, quote: str = '"') -> str:
        """``acme "acme corp"``: phrases quoted, words bare."""
        return " ".join(f"{quote}{w}{quote}" if " " in w else w for w in self.words)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One term group asked of one engine, back to ``since``, at most ``max_pages`` pages."""

    fetcher: Fetcher
    api_base: str
    terms: SearchTerms
    since: datetime
    max_pages: int
    options: Mapping[str, str] = field(default_factory=dict)
    state: FetchState = field(default_factory=FetchState)  # conditional GET (feeds)


@dataclass(slots=True)
class Found:
    """What an engine returned for one request."""

    documents: list[Document] = field(default_factory=list)
    threads: list[ThreadRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    newest: datetime | None = None
    state: FetchState = field(default_factory=FetchState)

    def add(self, documents: Sequence[Document], since: datetime) -> bool:
        """Keep the documents at or after ``since``; True when some were older (the pages
        from here on hold only what earlier passes saw)."""
        reached = False
        for document in documents:
            when = document.published_at
            if when is not None and when < since:
                reached = True
                continue
            self.documents.append(document)
            if when is not None and (self.newest is None or when > self.newest):
                self.newest = when
        return reached


class Engine(Protocol):
    async def search(self, request: SearchRequest) -> Found: ...


@dataclass(frozen=True, slots=True)
class EngineInfo:
    """A search engine: its name under ``engine:``, the API it speaks by default, the
    options it reads, and whether it needs search terms (a pasted feed does not)."""

    name: str
    display_name: str
    default_api_base: str
    options: tuple[OptionField, ...] = ()
    needs_terms: bool = True


def load_cursor(state: FetchState) -> dict[str, datetime]:
    """The high-water marks kept from the last pass (unreadable state starts afresh)."""
    try:
        marks = json.loads(state.cursor or "{}").get("since", {})
        return {str(k): datetime.fromtimestamp(float(v), UTC) for k, v in marks.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


def dump_cursor(marks: Mapping[str, datetime]) -> str:
    return json.dumps({"since": {k: int(v.timestamp()) for k, v in sorted(marks.items())}})


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def int_option(options: Mapping[str, str], name: str, default: int) -> int:
    value = options.get(name, "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else default
