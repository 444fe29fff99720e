"""Keeping one brand's stored mentions in step with its query, batch by batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention, Source


class MentionSyncRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def documents_after(
        self, last_id: int, limit: int, *, since: datetime | None = None
    ) -> list[tuple[Document, str | None]]:
        """The next documents by id, each with its source's kind (queries can filter on it)."""
        query = (
            select(Document, Source.kind)
            .join(Source, Document.source_id == Source.id)
            .where(Document.id > last_id)
        )
        if since is not None:
            query = query.where(func.coalesce(Document.published_at, Document.discovered_at)
                                >= since)
        rows = self.session.execute(query.order_by(Document.id).limit(limit))
        return [(doc, kind) for doc, kind in rows]

    def mentions_of(self, brand_id: int, document_ids: Iterable[int]) -> dict[int, Mention]:
        query = select(Mention).where(
            Mention.brand_id == brand_id, Mention.document_id.in_(list(document_ids))
        )
        return {m.document_id: m for m in self.session.scalars(query)}

    def delete(self, mention_ids: Sequence[int]) -> None:
        if mention_ids:
            self.session.execute(delete(Mention).where(Mention.id.in_(list(mention_ids))))

    def flush(self) -> None:
        self.session.flush()
