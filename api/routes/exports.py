"""CSV exports: any filtered mention list, streamed in keyset-paged batches, and trends.

A mention export has no row limit: each batch is read in its own short session and written
out before the next is read, so memory stays flat however many rows match.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import ReadDep, RuntimeDep, SessionDep
from api.routes.mentions import FiltersDep
from api.routes.trends import compute_trends, trend_request
from api.schemas import ERROR_RESPONSES
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.inbox import InboxRepository
from monitor.db.repositories.mentions import ExportRow, MentionFilter, compute_shown_state
from monitor.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["exports"], responses=ERROR_RESPONSES)
FIRST_BATCH = 100  # small, so the first bytes leave quickly
BATCH = 1000
MENTION_COLUMNS = (
    "mention_id", "item_id", "thread_id", "brand", "time", "published_at", "kind",
    "source", "source_kind", "site", "author", "url", "title", "snippet", "sentiment",
    "sentiment_score", "state", "tags", "topics", "engagement", "language",
)
TREND_COLUMNS = ("start", "mentions", "positive", "negative", "neutral", "unscored",
                 "avg_sentiment")
CSV_HEADERS = {"Cache-Control": "no-store"}


@router.get("/mentions.csv", summary="Export the filtered mentions as CSV (streamed)",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV"}})
def export_mentions(session: SessionDep, runtime: RuntimeDep, _who: ReadDep,
                    filters: FiltersDep) -> StreamingResponse:
    """Every mention the filters of `GET /api/v1/mentions` match, newest first, one row per
    (item, brand); no row limit. Cells that a spreadsheet would run as a formula are
    prefixed with `'`."""
    fixed = replace(filters, as_of=filters.as_of or datetime.now(UTC))
    # Every filter (brand, alert, ...) is checked now, so a bad one is a 4xx, not a stream
    # broken after its headers went out.
    MentionRepository(session).export_page(fixed, limit=1, cursor=None)
    return _csv_response(iter_mentions_csv(runtime, fixed), "mentions.csv")


@router.get("/trends.csv", summary="Export the trend buckets as CSV",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV"}})
def export_trends(
    session: SessionDep, _who: ReadDep, filters: FiltersDep,
    interval: Annotated[Literal["hour", "day", "week"], Query(description="bucket size")] = "day",
) -> StreamingResponse:
    """The volume-by-sentiment buckets of `GET /api/v1/trends`, one row per bucket."""
    trends = compute_trends(session, trend_request(filters, interval, datetime.now(UTC)))
    rows = [[b.start.isoformat(), b.mentions, b.positive, b.negative, b.neutral, b.unscored,
             "" if b.avg_sentiment is None else b.avg_sentiment] for b in trends.buckets]
    return _csv_response(iter([render_csv([list(TREND_COLUMNS), *rows])]), "trends.csv")


def _csv_response(chunks: Iterator[str], name: str) -> StreamingResponse:
    headers = {**CSV_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8", headers=headers)


def iter_mentions_csv(runtime: Runtime, filters: MentionFilter) -> Generator[str, None, None]:
    """The CSV text, a batch at a time."""
    yield render_csv([list(MENTION_COLUMNS)])
    cursor: str | None = None
    size = FIRST_BATCH
    while True:
        with runtime.sessions() as session:
            rows, cursor = MentionRepository(session).export_page(
                filters, limit=size, cursor=cursor)
            tags = InboxRepository(session).item_tags_for(sorted({r.item_id for r in rows}))
        yield render_csv(mention_cells(r, tags.get(r.item_id, []), filters) for r in rows)
        if cursor is None:
            return
        size = BATCH


def mention_cells(row: ExportRow, tags: list[str], filters: MentionFilter) -> list[object]:
    state = compute_shown_state(row.state, row.snoozed_until, filters.as_of or datetime.now(UTC))
    return [
        row.mention_id, row.item_id, row.thread_id or "", row.brand, row.sort_at.isoformat(),
        row.published_at.isoformat() if row.published_at else "", row.kind, row.source,
        row.source_kind or "", row.site, row.author or "", row.url, row.title, row.snippet,
        row.sentiment, round(row.sentiment_score, 4), state, " ".join(tags),
        " ".join(str(t) for t in row.topics or []), row.engagement, row.language or "",
    ]


def render_csv(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_defused(cell) for cell in row])
    return buffer.getvalue()


def _defused(cell: object) -> object:
    # A crawled "=HYPERLINK(…)" must stay text when the export is opened in a spreadsheet.
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
