"""Mentions: stored once per document and brand, listed newest first with a stable cursor."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.repositories._dialect import batched, insert_ignoring_conflicts
from monitor.errors import InvalidInputError, NotFoundError


@dataclass(frozen=True, slots=True)
class MentionFilter:
    brand: str | None = None
    sentiment: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None
    include_duplicates: bool = False


@dataclass(frozen=True, slots=True)
class MentionRow:
    mention: Mention
    document: Document
    brand: Brand
    source: Source


@dataclass(frozen=True, slots=True)
class MentionPage:
    rows: list[MentionRow]
    next_cursor: str | None


class MentionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert mentions, skipping any (document, brand) pair already stored."""
        count = 0
        for batch in batched(list(rows)):
            statement = insert_ignoring_conflicts(self.session, Mention.__table__)  # type: ignore[arg-type]
            result = self.session.execute(statement.returning(Mention.__table__.c.id), batch)
            count += len(result.all())
        return count

    def get_row(self, mention_id: int) -> MentionRow:
        row = self.session.execute(_joined().where(Mention.id == mention_id)).first()
        if row is None:
            raise NotFoundError(f"no mention with id {mention_id}")
        return MentionRow(*row)

    def list_page(self, filters: MentionFilter, *, limit: int, cursor: str | None) -> MentionPage:
        query = _apply_filters(_joined(), filters)
        if cursor:
            sort_at, mention_id = decode_cursor(cursor)
            query = query.where(
                or_(Mention.sort_at < sort_at,
                    and_(Mention.sort_at == sort_at, Mention.id < mention_id))
            )
        query = query.order_by(Mention.sort_at.desc(), Mention.id.desc()).limit(limit + 1)
        rows = [MentionRow(*r) for r in self.session.execute(query)]
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].mention) if more and rows else None
        return MentionPage(rows, next_cursor)

    def count(self, filters: MentionFilter) -> int:
        query = _apply_filters(_joined(), filters).with_only_columns(func.count(Mention.id))
        return self.session.scalar(query) or 0

    def delete_for_brand_except(self, brand_id: int, keep_document_ids: set[int]) -> int:
        """Remove a brand's mentions on documents that no longer match its query."""
        ids = set(self.session.scalars(select(Mention.document_id).where(
            Mention.brand_id == brand_id)))
        stale = sorted(ids - keep_document_ids)
        for chunk in batched([{"id": i} for i in stale]):
            self.session.execute(delete(Mention).where(
                Mention.brand_id == brand_id,
                Mention.document_id.in_([c["id"] for c in chunk])))
        return len(stale)


def _joined() -> Select[tuple[Mention, Document, Brand, Source]]:
    return (
        select(Mention, Document, Brand, Source)
        .join(Document, Mention.document_id == Document.id)
        .join(Brand, Mention.brand_id == Brand.id)
        .join(Source, Document.source_id == Source.id)
    )


def _apply_filters(query: Select[Any], filters: MentionFilter) -> Select[Any]:
    conditions = []
    if filters.brand:
        conditions.append(Brand.name == filters.brand)
    if filters.sentiment:
        label = func.coalesce(Mention.sentiment_override, Mention.sentiment_label)
        conditions.append(label == filters.sentiment)
    if filters.kind:
        conditions.append(Document.kind == filters.kind)
    if filters.since:
        conditions.append(Mention.sort_at >= filters.since)
    if filters.until:
        conditions.append(Mention.sort_at < filters.until)
    if filters.q:
        pattern = f"%{_escape_like(filters.q)}%"
        conditions.append(or_(Document.title.ilike(pattern, escape="\\"),
                              Document.text.ilike(pattern, escape="\\")))
    if not filters.include_duplicates:
        conditions.append(Document.duplicate_of_id.is_(None))
    return query.where(*conditions)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(mention: Mention) -> str:
    raw = f"{mention.sort_at.astimezone(UTC).isoformat()}|{mention.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, mention_id = base64.urlsafe_b64decode(padded).decode().partition("|")
        moment = datetime.fromisoformat(stamp)
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC), int(mention_id)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInputError("cursor is not one this API returned") from None
