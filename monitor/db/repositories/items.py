"""Items: one entry per stored post or comment, with the mentions of every brand it names.

The inbox lists items with the filters of the mention listing: an item is listed when one of
its mentions matches. Mentions of one document share its sort keys (time, engagement and
priority all come from the document), so walking mentions in (sort key, document) order meets
each item's mentions side by side; the walk reads only as many rows as one page needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.repositories.mentions import (
    MentionFilter,
    MentionRepository,
    SortOrder,
    decode_cursor,
    encode_key_cursor,
    sort_keys,
)
from monitor.errors import NotFoundError

ITEM_CURSOR = "item:"


@dataclass(frozen=True, slots=True)
class ItemRow:
    document: Document
    source: Source
    mentions: list[tuple[Mention, Brand]]  # by brand name


@dataclass(frozen=True, slots=True)
class ItemPage:
    rows: list[ItemRow]
    next_cursor: str | None


class ItemRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list_page(self, filters: MentionFilter, *, limit: int, cursor: str | None,
                  sort: SortOrder = "time") -> ItemPage:
        after = decode_cursor(cursor, sort, prefix=ITEM_CURSOR) if cursor else None
        keys = self._walk(filters, sort, limit + 1, after)
        more = len(keys) > limit
        keys = keys[:limit]
        rows = self.load([doc_id for _, doc_id in keys], include_hidden=filters.include_hidden)
        next_cursor = (encode_key_cursor(keys[-1][0], keys[-1][1], sort, prefix=ITEM_CURSOR)
                       if more and keys else None)
        return ItemPage(rows, next_cursor)

    def _walk(self, filters: MentionFilter, sort: SortOrder, wanted: int,
              after: tuple[Any, int] | None) -> list[tuple[Any, int]]:
        """Up to ``wanted`` distinct (sort key, document id) pairs after ``after``."""
        key = sort_keys(sort)[0]
        base = MentionRepository(self.session).filtered(
            select(key, Mention.document_id).select_from(Mention)
            .join(Document, Mention.document_id == Document.id)
            .join(Brand, Mention.brand_id == Brand.id)
            .join(Source, Document.source_id == Source.id), filters)
        found: list[tuple[Any, int]] = []
        seen: set[int] = set()
        batch = max(wanted * 2, 20)
        while len(found) < wanted:
            query = base
            if after is not None:
                query = query.where(tuple_(key, Mention.document_id) < tuple_(*after))
            rows = self.session.execute(query.order_by(
                key.desc(), Mention.document_id.desc()).limit(batch)).all()
            for value, doc_id in rows:
                if doc_id not in seen:
                    seen.add(doc_id)
                    found.append((value, doc_id))
            if len(rows) < batch:
                break
            after = (rows[-1][0], rows[-1][1])
        return found[:wanted]

    def load(self, document_ids: Sequence[int], *, include_hidden: bool = False
             ) -> list[ItemRow]:
        """The items, in the order given, each with its brands' mentions."""
        if not document_ids:
            return []
        ids = list(document_ids)
        docs = {d.id: (d, s) for d, s in self.session.execute(
            select(Document, Source).join(Source, Document.source_id == Source.id)
            .where(Document.id.in_(ids)))}
        query = (select(Mention, Brand).join(Brand, Mention.brand_id == Brand.id)
                 .where(Mention.document_id.in_(ids)).order_by(Brand.name))
        if not include_hidden:
            query = query.where(Mention.hidden_by_id.is_(None))
        mentions: dict[int, list[tuple[Mention, Brand]]] = {}
        for mention, brand in self.session.execute(query):
            mentions.setdefault(mention.document_id, []).append((mention, brand))
        return [ItemRow(docs[i][0], docs[i][1], mentions.get(i, [])) for i in ids if i in docs]

    def count(self, filters: MentionFilter) -> int:
        """How many items have a mention matching ``filters``."""
        query = MentionRepository(self.session).filtered(
            select(func.count(func.distinct(Mention.document_id))).select_from(Mention)
            .join(Document, Mention.document_id == Document.id)
            .join(Brand, Mention.brand_id == Brand.id)
            .join(Source, Document.source_id == Source.id), filters)
        return self.session.scalar(query) or 0

    def get(self, document_id: int) -> ItemRow:
        rows = self.load([document_id], include_hidden=True)
        if not rows or not rows[0].mentions:
            raise NotFoundError(f"no item with id {document_id}")
        return rows[0]


def lead_mention(row: ItemRow, brand: str | None) -> Mention:
    """The mention an item is shown by: the filtered brand's, else the first by brand name."""
    for mention, found in row.mentions:
        if found.name == brand:
            return mention
    return row.mentions[0][0]
